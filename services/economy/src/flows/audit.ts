import { type AssetSums, ledgerSums } from '../store/audit.ts';
import type { EconomyDb } from '../store/tables.ts';

export interface AssetAudit extends AssetSums {
  balanced: boolean;
}

export interface AuditReport {
  balanced: boolean;
  assets: AssetAudit[];
}

/**
 * Recomputes every account from the transfers and compares with the running columns: an asset is
 * balanced when both sums are zero and no account disagrees with its own history.
 */
export async function auditLedger(db: EconomyDb): Promise<AuditReport> {
  const assets = (await ledgerSums(db)).map(
    (sums): AssetAudit => ({
      ...sums,
      balanced: sums.sum === 0 && sums.recomputedSum === 0 && sums.mismatchedAccounts === 0,
    }),
  );
  return { balanced: assets.every((asset) => asset.balanced), assets };
}
