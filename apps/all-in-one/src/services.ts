import { authService } from '@necp/auth-service';
import { characterService } from '@necp/character-service';
import { economyService } from '@necp/economy-service';
import { gameplayService } from '@necp/gameplay-service';
import { gatewayService } from '@necp/gateway-service';
import type { ServiceDefinition } from '@necp/platform';
import { socialService } from '@necp/social-service';
import { worldService } from '@necp/world-service';

/** Start order: the issuer first (others fetch its keys), the gateway last (it fronts the rest). */
export const allServices: ServiceDefinition[] = [
  authService,
  characterService,
  gameplayService,
  socialService,
  economyService,
  worldService,
  gatewayService,
];
