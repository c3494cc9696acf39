-- The live definition of mvp_core.ledger_post_transfers.
-- The migration runner runs this file again at start whenever its text changes (repeatable
-- definitions, packages/platform/src/sql/migrations.ts): change the function here, never in a
-- numbered migration. Changing its arguments or result type also takes a numbered migration that
-- drops the old function first (CREATE OR REPLACE cannot change those).
--
-- Posted transfers in batches, in the single statement that calls this function
-- (src/store/ledger-post.ts): per item, in order, it finds a transfer posted before under the same
-- keyed client ref (`stored`), checks the characters against `mvp_core.economy_characters`
-- (`unknown_party`, `no_such_character`, `not_owned`), locks every account the batch touches in id
-- order, the house last (opening them on first use; escrow_movements.sql says why the house is last), applies the posted-leg rule of `applyLegs`
-- (src/domain/ledger.ts: only the house may go below what it has available; `refused` with the
-- available amount otherwise), then writes transfers, balances and outbox events set-based.
-- test/integration/ledger-sql-rule.test.ts holds it to that rule.
-- Why it is shaped this way: migrations 006 to 011.
--
-- One row per item, `item` its 1-based position: outcome `posted`, `stored` (that transfer's id,
-- time and request hash, for the caller to replay or refuse), `refused`, or a failed check of the
-- characters.
CREATE OR REPLACE FUNCTION mvp_core.ledger_post_transfers(p_items jsonb)
RETURNS TABLE (
  item integer, outcome text, request_hash text, available bigint, transfer_id uuid, created_at timestamptz
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_items mvp_core.ledger_post_item[];
  v_count integer;
  v_stored_ids uuid[];
  v_stored_at timestamptz[];
  v_stored_hashes text[];
  v_stored boolean[];
  v_posted boolean[];
  -- Why a transfer's characters fail its checks; null when they pass (or it was answered before).
  v_party text[];
  v_refused_available bigint[];
  v_debit_ids bigint[];
  v_credit_ids bigint[];
  -- The locked accounts in id order, and what each has available as the batch runs.
  v_account_ids bigint[];
  v_account_kinds text[];
  v_available bigint[];
  v_wanted integer;
  v_debit integer;
  v_credit integer;
  v_amount bigint;
BEGIN
  v_items := ARRAY(SELECT r FROM jsonb_populate_recordset(NULL::mvp_core.ledger_post_item, p_items) AS r);
  v_count := cardinality(v_items);
  v_posted := array_fill(false, ARRAY[v_count]);
  v_refused_available := array_fill(NULL::bigint, ARRAY[v_count]);

  -- One look-up, so the stored answers and the items left to post agree. EXECUTE plans it on every
  -- call, with the batch's refs and the table's size of the moment: a plan cached while the table was
  -- small hashed the whole table on each call later (4 ms a batch at 50k transfers, the bench found).
  EXECUTE 'SELECT array_agg(p.id ORDER BY t.ordinality), array_agg(p.created_at ORDER BY t.ordinality),
        array_agg(p.request_hash ORDER BY t.ordinality)
      FROM unnest($1::text[]) WITH ORDINALITY AS t (client_ref, ordinality)
      LEFT JOIN mvp_core.ledger_transfers AS p ON p.client_ref = t.client_ref'
    INTO v_stored_ids, v_stored_at, v_stored_hashes
    USING ARRAY(SELECT CASE WHEN i.request_hash IS NOT NULL THEN i.client_ref END FROM unnest(v_items) WITH ORDINALITY AS i ORDER BY i.ordinality);
  v_stored := ARRAY(SELECT v_stored_ids[i] IS NOT NULL FROM generate_subscripts(v_stored_ids, 1) AS i ORDER BY i);
  RETURN QUERY
    SELECT i, 'stored'::text, v_stored_hashes[i], NULL::bigint, v_stored_ids[i], v_stored_at[i]
      FROM generate_subscripts(v_stored_ids, 1) AS i
      WHERE v_stored_ids[i] IS NOT NULL;

  -- CASE keeps the uuid casts to the rows that name characters (a house account's owner is 'house').
  v_party := ARRAY(
    SELECT CASE
        WHEN v_stored[t.ordinality] THEN NULL
        WHEN (t.debit_owned_by IS NOT NULL AND payer.character_id IS NULL)
          OR (coalesce(t.credit_must_exist, false) AND payee.character_id IS NULL) THEN 'unknown_party'
        WHEN t.debit_owned_by IS NOT NULL AND payer.deleted THEN 'no_such_character'
        WHEN t.debit_owned_by IS NOT NULL AND payer.account_id <> t.debit_owned_by THEN 'not_owned'
        WHEN coalesce(t.credit_must_exist, false) AND payee.deleted THEN 'no_such_character'
      END
      FROM unnest(v_items) WITH ORDINALITY AS t
      LEFT JOIN mvp_core.economy_characters AS payer
        ON payer.character_id = CASE WHEN t.debit_owned_by IS NOT NULL THEN t.debit_owner::uuid END
      LEFT JOIN mvp_core.economy_characters AS payee
        ON payee.character_id = CASE WHEN t.credit_must_exist THEN t.credit_owner::uuid END
      ORDER BY t.ordinality);

  RETURN QUERY
    SELECT t.ordinality::integer, v_party[t.ordinality], NULL::text, NULL::bigint, NULL::uuid, NULL::timestamptz
      FROM unnest(v_items) WITH ORDINALITY AS t
      WHERE v_party[t.ordinality] IS NOT NULL;

  -- Accounts open on first use (a racing opener of the same account makes ours a no-op), then the
  -- lock is taken again. The statement that locks the accounts also names each transfer's two.
  FOR attempt IN 1..2 LOOP
    WITH wanted AS (
      SELECT DISTINCT side.kind, side.owner_id, t.asset
        FROM unnest(v_items) WITH ORDINALITY AS t,
          LATERAL (VALUES (t.debit_kind, t.debit_owner), (t.credit_kind, t.credit_owner)) AS side (kind, owner_id)
        WHERE NOT v_stored[t.ordinality] AND v_party[t.ordinality] IS NULL
    ), locked AS MATERIALIZED (
      SELECT a.id, a.kind, a.owner_id, a.asset, a.balance - a.held AS available FROM mvp_core.ledger_accounts AS a
        JOIN wanted AS w ON a.kind = w.kind AND a.owner_id = w.owner_id AND a.asset = w.asset
        ORDER BY a.kind = 'house', a.id FOR NO KEY UPDATE OF a
    ), sides AS (
      SELECT array_agg(d.id ORDER BY t.ordinality) AS debit_ids, array_agg(c.id ORDER BY t.ordinality) AS credit_ids
        FROM unnest(v_items) WITH ORDINALITY AS t
        LEFT JOIN locked AS d ON d.kind = t.debit_kind AND d.owner_id = t.debit_owner AND d.asset = t.asset
        LEFT JOIN locked AS c ON c.kind = t.credit_kind AND c.owner_id = t.credit_owner AND c.asset = t.asset
    )
    SELECT (SELECT count(*) FROM wanted),
      coalesce((SELECT array_agg(l.id ORDER BY l.id) FROM locked AS l), '{}'),
      (SELECT array_agg(l.kind ORDER BY l.id) FROM locked AS l),
      (SELECT array_agg(l.available ORDER BY l.id) FROM locked AS l),
      sides.debit_ids, sides.credit_ids
      FROM sides
      INTO v_wanted, v_account_ids, v_account_kinds, v_available, v_debit_ids, v_credit_ids;
    EXIT WHEN cardinality(v_account_ids) = v_wanted;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'ledger accounts for a batch of % transfers could not be opened', v_count;
    END IF;
    INSERT INTO mvp_core.ledger_accounts (kind, owner_id, asset)
      SELECT DISTINCT side.kind, side.owner_id, t.asset
        FROM unnest(v_items) WITH ORDINALITY AS t,
          LATERAL (VALUES (t.debit_kind, t.debit_owner), (t.credit_kind, t.credit_owner)) AS side (kind, owner_id)
        WHERE NOT v_stored[t.ordinality] AND v_party[t.ordinality] IS NULL
        ORDER BY 1, 2, 3
      ON CONFLICT (kind, owner_id, asset) DO NOTHING;
  END LOOP;

  FOR i IN 1..v_count LOOP
    CONTINUE WHEN v_stored[i] OR v_party[i] IS NOT NULL;
    v_amount := (v_items[i]).amount;
    v_debit := array_position(v_account_ids, v_debit_ids[i]);
    v_credit := array_position(v_account_ids, v_credit_ids[i]);
    IF v_account_kinds[v_debit] <> 'house' AND v_available[v_debit] < v_amount THEN
      v_refused_available[i] := v_available[v_debit];
      CONTINUE;
    END IF;
    v_available[v_debit] := v_available[v_debit] - v_amount;
    v_available[v_credit] := v_available[v_credit] + v_amount;
    v_posted[i] := true;
  END LOOP;

  INSERT INTO mvp_core.ledger_transfers
    (id, client_ref, kind, debit_account_id, credit_account_id, asset, amount, pending_id, released, reason,
     memo, actor_id, created_at, request_hash)
    SELECT t.transfer_id, t.client_ref, 'posted', v_debit_ids[t.ordinality], v_credit_ids[t.ordinality], t.asset,
      t.amount, NULL, 0, t.reason, t.memo, t.actor_id, t.created_at, t.request_hash
      FROM unnest(v_items) WITH ORDINALITY AS t
      WHERE v_posted[t.ordinality]
      ORDER BY t.ordinality;
  UPDATE mvp_core.ledger_accounts AS a SET balance = a.balance + m.delta
    FROM (
      SELECT side.id, sum(side.delta) AS delta
        FROM unnest(v_items) WITH ORDINALITY AS t,
          LATERAL (VALUES (v_debit_ids[t.ordinality], -t.amount), (v_credit_ids[t.ordinality], t.amount))
            AS side (id, delta)
        WHERE v_posted[t.ordinality]
        GROUP BY side.id
    ) AS m
    WHERE a.id = m.id;
  PERFORM mvp_meta.write_outbox_rows(e.ids, e.topics, e.keys, e.envelopes, e.producers, e.traceparents)
    FROM (
      SELECT array_agg(t.event_id ORDER BY t.ordinality) AS ids, array_agg(t.event_topic ORDER BY t.ordinality) AS topics,
        array_agg(t.event_key ORDER BY t.ordinality) AS keys,
        array_agg(t.event_envelope ORDER BY t.ordinality) AS envelopes,
        array_agg(t.event_producer ORDER BY t.ordinality) AS producers,
        array_agg(t.event_traceparent ORDER BY t.ordinality) AS traceparents
        FROM unnest(v_items) WITH ORDINALITY AS t
        WHERE v_posted[t.ordinality]
    ) AS e
    WHERE e.ids IS NOT NULL;

  RETURN QUERY
    SELECT t.ordinality::integer,
      CASE WHEN v_posted[t.ordinality] THEN 'posted' ELSE 'refused' END,
      NULL::text, v_refused_available[t.ordinality], NULL::uuid, NULL::timestamptz
      FROM unnest(v_items) WITH ORDINALITY AS t
      WHERE NOT v_stored[t.ordinality] AND v_party[t.ordinality] IS NULL;
END;
$$;
