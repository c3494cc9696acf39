/** A realm configured by the test: realm roles, a direct-grant client and an audience mapper for necp-api. */
export function keycloakRealm(options: {
  realm: string;
  clientId: string;
  audience: string;
  user: string;
  password: string;
}) {
  return {
    realm: options.realm,
    enabled: true,
    accessTokenLifespan: 300,
    roles: { realm: [{ name: 'player' }, { name: 'admin' }] },
    clients: [
      {
        clientId: options.clientId,
        enabled: true,
        publicClient: true,
        directAccessGrantsEnabled: true,
        standardFlowEnabled: false,
        protocol: 'openid-connect',
        protocolMappers: [
          {
            name: 'necp-api audience',
            protocol: 'openid-connect',
            protocolMapper: 'oidc-audience-mapper',
            config: {
              'included.custom.audience': options.audience,
              'access.token.claim': 'true',
              'id.token.claim': 'false',
            },
          },
        ],
      },
    ],
    users: [
      {
        username: options.user,
        enabled: true,
        email: `${options.user}@example.test`,
        emailVerified: true,
        firstName: 'Test',
        lastName: 'Player',
        requiredActions: [],
        credentials: [{ type: 'password', value: options.password, temporary: false }],
        realmRoles: ['player', 'admin', `default-roles-${options.realm}`],
      },
    ],
  };
}
