-- Posted transfers in batches: economy-service gathers the transfers that arrive together
-- (src/store/transfer-batcher.ts) and posts them with one call of this function, in one transaction,
-- the way TigerBeetle takes a batch of transfers per request. Per transfer it does what 005's
-- one-transfer function did (claim the Idempotency-Key, lock both accounts, apply the posted-leg rule
-- of `applyLegs`, write transfer, balances, outbox event and stored answer); what a batch shares is
-- the round trip, the commit and the wake-ups of the backend, which cost more than the transfer's own
-- work (measured: ~5,500 one-transfer calls/s with 32 pgbench clients).
--
-- Items are processed in their order, so two transfers of one batch from one account see each
-- other's effect. Locks are taken in one global order: Idempotency-Keys by (scope, key), then
-- accounts by id, so racing batches queue instead of deadlocking. One item's outcome never undoes
-- another's: a refused transfer (not enough available) gives back the key it claimed, so a retry of
-- that request runs again, and the others commit.
--
-- One row per item, `item` its 1-based position: outcome `posted` (with the answer to store),
-- `stored` (the key is live: what it holds, for the caller to replay or refuse) or `refused` (with
-- the available amount).
DROP FUNCTION mvp_core.ledger_post_transfer(
  uuid, text, text, text, text, text, text, bigint, text, text, text, timestamptz,
  uuid, text, text, jsonb, text, text, text, text, text, timestamptz, integer, jsonb
);

CREATE TYPE mvp_core.ledger_post_item AS (
  transfer_id uuid,
  client_ref text,
  debit_kind text,
  debit_owner text,
  credit_kind text,
  credit_owner text,
  asset text,
  amount bigint,
  reason text,
  memo text,
  actor_id text,
  created_at timestamptz,
  event_id uuid,
  event_topic text,
  event_key text,
  event_envelope jsonb,
  event_producer text,
  event_traceparent text,
  idempotency_scope text,
  idempotency_key text,
  request_hash text,
  expires_at timestamptz,
  status integer,
  body jsonb
);

CREATE FUNCTION mvp_core.ledger_post_transfers(p_items jsonb)
RETURNS TABLE (item integer, outcome text, request_hash text, status integer, body jsonb, available bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_items mvp_core.ledger_post_item[];
  v_item mvp_core.ledger_post_item;
  v_index integer;
  v_claim record;
  v_answered boolean[];
  v_wanted integer;
  v_locked integer;
  v_debit mvp_core.ledger_accounts;
  v_credit_id bigint;
BEGIN
  v_items := ARRAY(SELECT r FROM jsonb_populate_recordset(NULL::mvp_core.ledger_post_item, p_items) AS r);
  v_answered := array_fill(false, ARRAY[cardinality(v_items)]);

  FOR v_index IN
    SELECT i FROM generate_subscripts(v_items, 1) AS i
      WHERE (v_items[i]).idempotency_key IS NOT NULL
      ORDER BY (v_items[i]).idempotency_scope, (v_items[i]).idempotency_key
  LOOP
    v_item := v_items[v_index];
    SELECT * INTO v_claim FROM mvp_meta.claim_idempotency_key(
      v_item.idempotency_scope, v_item.idempotency_key, v_item.request_hash, v_item.expires_at);
    IF NOT v_claim.claimed THEN
      v_answered[v_index] := true;
      RETURN QUERY SELECT v_index, 'stored'::text, v_claim.request_hash, v_claim.status, v_claim.body, NULL::bigint;
    END IF;
  END LOOP;

  -- Every account the batch touches, locked in id order; accounts open on first use (a racing
  -- opener of the same account makes ours a no-op), then the lock is taken again.
  FOR attempt IN 1..2 LOOP
    WITH wanted AS (
      SELECT DISTINCT side.kind, side.owner_id, (v_items[i]).asset AS asset
        FROM generate_subscripts(v_items, 1) AS i,
          LATERAL (VALUES ((v_items[i]).debit_kind, (v_items[i]).debit_owner),
                          ((v_items[i]).credit_kind, (v_items[i]).credit_owner)) AS side (kind, owner_id)
        WHERE NOT v_answered[i]
    ), locked AS (
      SELECT a.id FROM mvp_core.ledger_accounts AS a
        JOIN wanted AS w ON a.kind = w.kind AND a.owner_id = w.owner_id AND a.asset = w.asset
        ORDER BY a.id FOR UPDATE OF a
    )
    SELECT (SELECT count(*) FROM wanted), (SELECT count(*) FROM locked) INTO v_wanted, v_locked;
    EXIT WHEN v_locked = v_wanted;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'ledger accounts for a batch of % transfers could not be opened', cardinality(v_items);
    END IF;
    INSERT INTO mvp_core.ledger_accounts (kind, owner_id, asset)
      SELECT DISTINCT side.kind, side.owner_id, (v_items[i]).asset
        FROM generate_subscripts(v_items, 1) AS i,
          LATERAL (VALUES ((v_items[i]).debit_kind, (v_items[i]).debit_owner),
                          ((v_items[i]).credit_kind, (v_items[i]).credit_owner)) AS side (kind, owner_id)
        WHERE NOT v_answered[i]
        ORDER BY 1, 2, 3
      ON CONFLICT (kind, owner_id, asset) DO NOTHING;
  END LOOP;

  FOR v_index IN 1..cardinality(v_items) LOOP
    CONTINUE WHEN v_answered[v_index];
    v_item := v_items[v_index];
    SELECT * INTO v_debit FROM mvp_core.ledger_accounts AS a
      WHERE a.kind = v_item.debit_kind AND a.owner_id = v_item.debit_owner AND a.asset = v_item.asset;
    IF v_debit.kind <> 'house' AND v_debit.balance - v_debit.held < v_item.amount THEN
      IF v_item.idempotency_key IS NOT NULL THEN
        DELETE FROM mvp_meta.idempotency_keys AS k
          WHERE k.scope = v_item.idempotency_scope AND k.key = v_item.idempotency_key;
      END IF;
      RETURN QUERY SELECT v_index, 'refused'::text, NULL::text, NULL::integer, NULL::jsonb,
        v_debit.balance - v_debit.held;
      CONTINUE;
    END IF;
    SELECT a.id INTO v_credit_id FROM mvp_core.ledger_accounts AS a
      WHERE a.kind = v_item.credit_kind AND a.owner_id = v_item.credit_owner AND a.asset = v_item.asset;

    INSERT INTO mvp_core.ledger_transfers
      (id, client_ref, kind, debit_account_id, credit_account_id, asset, amount, pending_id, released, reason,
       memo, actor_id, created_at)
      VALUES (v_item.transfer_id, v_item.client_ref, 'posted', v_debit.id, v_credit_id, v_item.asset, v_item.amount,
       NULL, 0, v_item.reason, v_item.memo, v_item.actor_id, v_item.created_at);
    UPDATE mvp_core.ledger_accounts SET balance = balance - v_item.amount WHERE id = v_debit.id;
    UPDATE mvp_core.ledger_accounts SET balance = balance + v_item.amount WHERE id = v_credit_id;
    PERFORM mvp_meta.write_outbox(v_item.event_id, v_item.event_topic, v_item.event_key, v_item.event_envelope,
      v_item.event_producer, v_item.event_traceparent);
    IF v_item.idempotency_key IS NOT NULL THEN
      PERFORM mvp_meta.store_idempotent_response(v_item.idempotency_scope, v_item.idempotency_key, v_item.status,
        v_item.body);
    END IF;
    RETURN QUERY SELECT v_index, 'posted'::text, v_item.request_hash, v_item.status, v_item.body, NULL::bigint;
  END LOOP;
END;
$$;
