-- The live definitions of the escrow's stored functions (repeatable: see ledger_post_transfers.sql).
--
-- An escrow lock or settlement is one statement inside its transaction (src/store/escrow-movements.ts):
-- the ledger legs, the escrows row, its history line and the outbox events together. Each used to take
-- ten round trips (advisory lock, escrow row, client ref look-up, account opening, accounts locked,
-- balances, transfers, history, events), and the accounts' row locks (the house's above all, which every
-- commission credits) were held across all of them: 50-60 ms of lock waits under the order journeys.
-- An escrow movement locks its accounts in id order, the house apart: what it credits the house goes
-- to mvp_core.ledger_house_journal (migrations/012), folded into the balance by a job, since every
-- commission credits that one row and settlements queued on its lock (other movements, which lock the
-- house last, keep updating its row: its balance is the row plus its unfolded journal).
-- The flows build the legs and the events (src/domain/escrow.ts decides what moves), these functions
-- check and write them under the locks.

-- An escrow as `readEscrow` answers it, with its history, as one jsonb value.
-- plpgsql rather than sql: a sql function's body is planned again at every call, a plpgsql one's
-- statements once per connection.
CREATE OR REPLACE FUNCTION mvp_core.escrow_view(p_order_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT jsonb_build_object('order_id', e.order_id, 'payer_character_id', e.payer_character_id,
    'status', e.status, 'amount', e.amount, 'commission', e.commission,
    'executor_character_id', e.executor_character_id, 'executor_amount', e.executor_amount,
    'refund_amount', e.refund_amount, 'commission_taken', e.commission_taken,
    'created_at', e.created_at, 'updated_at', e.updated_at,
    'history', (SELECT coalesce(jsonb_agg(jsonb_build_object('status', h.status,
        'executor_amount', h.executor_amount, 'refund_amount', h.refund_amount,
        'commission_taken', h.commission_taken, 'source', h.source, 'at', h.at) ORDER BY h.id), '[]'::jsonb)
      FROM mvp_core.escrow_history AS h WHERE h.order_id = e.order_id))
  FROM mvp_core.escrows AS e WHERE e.order_id = p_order_id);
END;
$$;

-- The legs of one movement (`posted`, `pending`, `post`, `void`, the rules of `applyLegs` in
-- src/domain/ledger.ts): opens the accounts they name on first use, locks them but the house in id order
-- (so racing movements queue instead of deadlocking) and, unless one would end with less than it holds,
-- writes the transfers and the balances, the house's posted change as a journal row (the house may go
-- negative and holds nothing, so it needs neither its row nor its lock). Answers null when written, else what
-- the first such account had available (then nothing is written). The legs of an escrow debit an
-- account once, or after crediting it, so their end state decides as the leg-by-leg rule does.
-- Each statement here is a round of the executor and a snapshot: the accounts are found in the
-- statement that sums the legs, opened together, and written together (they were reached, opened and
-- written one statement per account; migration 013).
CREATE OR REPLACE FUNCTION mvp_core.ledger_apply_legs(p_legs jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  -- Per account the legs name: its key (kind, owner, asset), id and what the legs change.
  v_keys text[];
  v_kinds text[];
  v_owners text[];
  v_assets text[];
  v_balances bigint[];
  v_helds bigint[];
  v_ids bigint[];
  v_short bigint;
BEGIN
  -- What the legs change on each account: posted value moves from debit to credit, a pending leg holds
  -- its amount on the debit, a post or void releases the hold it resolves. Computed from the jsonb
  -- alone; each account is then reached through its unique index by a subquery of its own (a join was
  -- planned as a scan of every account).
  SELECT array_agg(d.kind || E'\n' || d.owner_id || E'\n' || d.asset), array_agg(d.kind), array_agg(d.owner_id),
      array_agg(d.asset), array_agg(d.balance), array_agg(d.held),
      array_agg((SELECT a.id FROM mvp_core.ledger_accounts AS a
        WHERE a.kind = d.kind AND a.owner_id = d.owner_id AND a.asset = d.asset))
    INTO v_keys, v_kinds, v_owners, v_assets, v_balances, v_helds, v_ids
    FROM (
      SELECT s.kind, s.owner_id, l.asset, sum(s.balance)::bigint AS balance, sum(s.held)::bigint AS held
        FROM jsonb_to_recordset(p_legs) AS l (kind text, debit_kind text, debit_owner text, credit_kind text,
            credit_owner text, asset text, amount bigint, released bigint),
          LATERAL (VALUES
            (l.debit_kind, l.debit_owner, CASE WHEN l.kind IN ('posted', 'post') THEN -l.amount ELSE 0 END,
              CASE l.kind WHEN 'pending' THEN l.amount WHEN 'posted' THEN 0 ELSE -l.released END),
            (l.credit_kind, l.credit_owner, CASE WHEN l.kind IN ('posted', 'post') THEN l.amount ELSE 0 END, 0)
          ) AS s (kind, owner_id, balance, held)
        GROUP BY 1, 2, 3
    ) AS d;

  -- Accounts open on first use, those missing together; a racing opener of the same account makes
  -- ours a no-op, and its account is read by a later statement (this one's snapshot predates it).
  IF array_position(v_ids, NULL) IS NOT NULL THEN
    WITH opened AS (
      INSERT INTO mvp_core.ledger_accounts (kind, owner_id, asset)
        SELECT k.kind, k.owner_id, k.asset FROM unnest(v_kinds, v_owners, v_assets, v_ids) AS k (kind, owner_id, asset, id)
          WHERE k.id IS NULL
        ON CONFLICT (kind, owner_id, asset) DO NOTHING
        RETURNING kind, owner_id, asset, id
    )
    SELECT array_agg(coalesce(k.id, o.id) ORDER BY k.position) INTO v_ids
      FROM unnest(v_kinds, v_owners, v_assets, v_ids) WITH ORDINALITY AS k (kind, owner_id, asset, id, position)
        LEFT JOIN opened AS o ON o.kind = k.kind AND o.owner_id = k.owner_id AND o.asset = k.asset;
    IF array_position(v_ids, NULL) IS NOT NULL THEN
      SELECT array_agg(coalesce(k.id, (SELECT a.id FROM mvp_core.ledger_accounts AS a
          WHERE a.kind = k.kind AND a.owner_id = k.owner_id AND a.asset = k.asset)) ORDER BY k.position)
        INTO v_ids
        FROM unnest(v_kinds, v_owners, v_assets, v_ids) WITH ORDINALITY AS k (kind, owner_id, asset, id, position);
    END IF;
  END IF;

  -- Locked in id order, the house apart; the first that would end with less than it holds refuses the
  -- movement. FOR NO KEY UPDATE, as every writer of a balance locks: a transfer row's foreign key check
  -- (a key-share lock on its two accounts, the house's among them) then waits on none of them.
  SELECT (array_agg(l.balance - l.held ORDER BY l.position)
      FILTER (WHERE l.balance + v_balances[array_position(v_ids, l.id)]
        < l.held + v_helds[array_position(v_ids, l.id)]))[1]
    INTO v_short
    FROM (
      SELECT a.id, a.balance, a.held, row_number() OVER () AS position
        FROM (SELECT a.id, a.balance, a.held FROM mvp_core.ledger_accounts AS a
          WHERE a.id = ANY (v_ids) AND a.kind <> 'house' ORDER BY a.id FOR NO KEY UPDATE) AS a
    ) AS l;
  IF v_short IS NOT NULL THEN
    RETURN v_short;
  END IF;

  -- The balances in one statement (the rows are locked already, so the order of the writes is free),
  -- the house's posted change as its journal row when the legs credit or debit it.
  UPDATE mvp_core.ledger_accounts AS a SET balance = a.balance + c.balance, held = a.held + c.held
    FROM unnest(v_ids, v_kinds, v_balances, v_helds) AS c (id, kind, balance, held)
    WHERE a.id = c.id AND (c.balance <> 0 OR c.held <> 0) AND NOT (c.kind = 'house' AND c.held = 0);
  IF 'house' = ANY (v_kinds) THEN
    INSERT INTO mvp_core.ledger_house_journal (account_id, amount)
      SELECT c.id, c.balance FROM unnest(v_ids, v_kinds, v_balances, v_helds) AS c (id, kind, balance, held)
        WHERE c.kind = 'house' AND c.held = 0 AND c.balance <> 0;
  END IF;

  -- The legs unpacked once into typed columns (each `->>` walked the leg's jsonb again), in order.
  INSERT INTO mvp_core.ledger_transfers
    (id, client_ref, kind, debit_account_id, credit_account_id, asset, amount, pending_id, released, reason,
     actor_id)
    SELECT l.transfer_id, l.client_ref, l.kind,
      v_ids[array_position(v_keys, l.debit_kind || E'\n' || l.debit_owner || E'\n' || l.asset)],
      v_ids[array_position(v_keys, l.credit_kind || E'\n' || l.credit_owner || E'\n' || l.asset)],
      l.asset, l.amount, l.pending_id, l.released, l.reason, l.actor_id
      FROM ROWS FROM (jsonb_to_recordset(p_legs) AS (transfer_id uuid, client_ref text, kind text,
          debit_kind text, debit_owner text, credit_kind text, credit_owner text, asset text, amount bigint,
          pending_id uuid, released bigint, reason text, actor_id text))
        WITH ORDINALITY AS l (transfer_id, client_ref, kind, debit_kind, debit_owner, credit_kind,
          credit_owner, asset, amount, pending_id, released, reason, actor_id, position)
      ORDER BY l.position;
  RETURN NULL;
END;
$$;

-- A lock (src/flows/escrows.ts, lockEscrow): `exists` with the escrow when the order has one (the
-- caller tells a repeat from other terms), `closed` with the status social closed the order with before
-- any lock, or `locked` with the new escrow; SQLSTATE EC422, what the payer has available in its
-- detail, when the payer cannot cover the hold (nothing written). The advisory
-- lock is the one a settlement event that finds no escrow takes (src/store/escrows.ts, serializeOrder):
-- it records the order closed only after this lock committed or before it starts.
CREATE OR REPLACE FUNCTION mvp_core.escrow_lock(p jsonb)
RETURNS TABLE (answer text, closed_as text, escrow jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_order uuid := (p ->> 'order_id')::uuid;
  v_exists boolean;
  v_closed text;
  v_funds bigint;
  v_escrow jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('escrow:' || v_order::text));
  SELECT EXISTS (SELECT FROM mvp_core.escrows AS e WHERE e.order_id = v_order),
      (SELECT c.order_status FROM mvp_core.escrow_closed_orders AS c WHERE c.order_id = v_order)
    INTO v_exists, v_closed;
  IF v_exists THEN
    RETURN QUERY SELECT 'exists', NULL::text, mvp_core.escrow_view(v_order);
    RETURN;
  END IF;
  IF v_closed IS NOT NULL THEN
    RETURN QUERY SELECT 'closed', v_closed, NULL::jsonb;
    RETURN;
  END IF;
  v_funds := mvp_core.ledger_apply_legs(p -> 'legs');
  IF v_funds IS NOT NULL THEN
    -- An error, not an answer: this statement may be the whole transaction (a lock without an
    -- Idempotency-Key), and the accounts the legs opened must not outlive the refusal.
    RAISE EXCEPTION 'the payer of order % has % available', v_order, v_funds
      USING ERRCODE = 'EC422', DETAIL = v_funds::text;
  END IF;
  -- The escrow, its history line and its outbox rows (in the given order, as mvp_meta.write_outbox_rows
  -- writes them) in one statement, which answers the escrow as `escrow_view` would read it back: each
  -- plpgsql statement costs a round of the executor and a snapshot.
  WITH escrow AS (
    INSERT INTO mvp_core.escrows (order_id, payer_character_id, amount, commission, status, hold_transfer_id)
      VALUES (v_order, (p ->> 'payer_character_id')::uuid, (p ->> 'amount')::bigint, (p ->> 'commission')::bigint,
        'locked', (p -> 'legs' -> 0 ->> 'transfer_id')::uuid)
      RETURNING *
  ), line AS (
    INSERT INTO mvp_core.escrow_history (order_id, status, executor_amount, refund_amount, commission_taken, actor_id, source)
      SELECT e.order_id, 'locked', 0, 0, 0, p ->> 'actor_id', p ->> 'source' FROM escrow AS e
      RETURNING *
  ), events AS (
    INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
      SELECT x.id, x.topic, x.key, x.topic, x.envelope, x.producer, x.traceparent
        FROM ROWS FROM (jsonb_to_recordset(p -> 'events') AS (id uuid, topic text, key text, envelope jsonb,
            producer text, traceparent text))
          WITH ORDINALITY AS x (id, topic, key, envelope, producer, traceparent, n)
        ORDER BY x.n
  )
  SELECT jsonb_build_object('order_id', e.order_id, 'payer_character_id', e.payer_character_id,
      'status', e.status, 'amount', e.amount, 'commission', e.commission,
      'executor_character_id', e.executor_character_id, 'executor_amount', e.executor_amount,
      'refund_amount', e.refund_amount, 'commission_taken', e.commission_taken,
      'created_at', e.created_at, 'updated_at', e.updated_at,
      'history', jsonb_build_array(jsonb_build_object('status', h.status,
        'executor_amount', h.executor_amount, 'refund_amount', h.refund_amount,
        'commission_taken', h.commission_taken, 'source', h.source, 'at', h.at)))
    INTO v_escrow
    FROM escrow AS e CROSS JOIN line AS h;
  RETURN QUERY SELECT 'locked', NULL::text, v_escrow;
END;
$$;

-- A settlement (src/flows/escrows.ts, settleEscrow) of an escrow the caller read locked with the hold
-- `hold_transfer_id`: under the escrow's row lock, `settled` with the escrow when another settlement
-- ended it first (the caller tells a repeat from another outcome; nothing is written), else its legs,
-- its outcome, its history line and its events are written and the answer is `applied`. The outcome
-- is written by the statement that takes the row lock, only while the escrow is still locked: a
-- racing settlement of the same escrow waits for that lock, then finds it no longer locked. The same
-- statement writes the history line, the event claim and the outbox rows, only when it changed the
-- escrow.
CREATE OR REPLACE FUNCTION mvp_core.escrow_settle(p jsonb)
RETURNS TABLE (answer text, escrow jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_order uuid := (p ->> 'order_id')::uuid;
  v_hold uuid := (p ->> 'hold_transfer_id')::uuid;
  v_settled uuid;
BEGIN
  -- A settlement by an order event claims the event in this same statement, which then needs no
  -- transaction around it. A second delivery could only find the escrow still locked if the first
  -- wrote nothing; if it did, the claim's unique_violation undoes the whole statement.
  WITH settled AS (
    UPDATE mvp_core.escrows AS e SET status = p ->> 'status',
        executor_character_id = (p ->> 'executor_character_id')::uuid,
        executor_amount = (p ->> 'executor_amount')::bigint, refund_amount = (p ->> 'refund_amount')::bigint,
        commission_taken = (p ->> 'commission_taken')::bigint, updated_at = now()
      WHERE e.order_id = v_order AND e.hold_transfer_id = v_hold AND e.status = 'locked'
      RETURNING e.order_id
  ), line AS (
    INSERT INTO mvp_core.escrow_history (order_id, status, executor_amount, refund_amount, commission_taken, actor_id, source)
      SELECT s.order_id, p ->> 'status', (p ->> 'executor_amount')::bigint, (p ->> 'refund_amount')::bigint,
        (p ->> 'commission_taken')::bigint, p ->> 'actor_id', p ->> 'source'
        FROM settled AS s
  ), claim AS (
    INSERT INTO mvp_meta.processed_events (consumer_group, event_id, topic)
      SELECT p #>> '{claim,consumer_group}', (p #>> '{claim,event_id}')::uuid, p #>> '{claim,topic}'
        FROM settled AS s WHERE p ? 'claim'
  ), events AS (
    INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
      SELECT x.id, x.topic, x.key, x.topic, x.envelope, x.producer, x.traceparent
        FROM settled AS s,
          ROWS FROM (jsonb_to_recordset(p -> 'events') AS (id uuid, topic text, key text, envelope jsonb,
            producer text, traceparent text))
          WITH ORDINALITY AS x (id, topic, key, envelope, producer, traceparent, n)
        ORDER BY x.n
  )
  SELECT s.order_id INTO v_settled FROM settled AS s;
  IF v_settled IS NULL THEN
    IF NOT EXISTS (SELECT FROM mvp_core.escrows AS e WHERE e.order_id = v_order AND e.hold_transfer_id = v_hold) THEN
      RAISE EXCEPTION 'escrow of order % with hold % not found', v_order, v_hold;
    END IF;
    RETURN QUERY SELECT 'settled', mvp_core.escrow_view(v_order);
    RETURN;
  END IF;
  IF mvp_core.ledger_apply_legs(p -> 'legs') IS NOT NULL THEN
    RAISE EXCEPTION 'the settlement of order % overdraws an account', v_order;
  END IF;
  RETURN QUERY SELECT 'applied', NULL::jsonb;
END;
$$;
