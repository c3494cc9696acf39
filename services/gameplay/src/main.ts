import { runStandalone } from '@necp/platform';
import { gameplayService } from './service.ts';

await runStandalone(gameplayService);
