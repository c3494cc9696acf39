/** Who may steer the city: live ops apply impacts and run scenarios. */
export const worldOperators = ['world.operator', 'admin'] as const;
