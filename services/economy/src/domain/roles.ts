/** Who may act on whose behalf in economy: the roles and the groups of them that its rules name. */
export const Roles = {
  service: 'service',
  admin: 'admin',
  arbiter: 'arbiter',
  operator: 'world.operator',
} as const;

/** See any character's wallet and ledger. */
export const walletReaders = [Roles.admin, Roles.service];
/** Settle an order's escrow, and see any escrow. */
export const escrowSettlers = [Roles.service, Roles.arbiter, Roles.admin];
/** Run workshops and pause, resume or cancel anyone's crafting jobs. */
export const craftingOperators = [Roles.operator, Roles.admin];
/** See any character's crafting jobs. */
export const craftingJobReaders = [Roles.operator, Roles.admin, Roles.service];
