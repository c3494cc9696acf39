import { runStandalone } from '@necp/platform';
import { characterService } from './service.ts';

await runStandalone(characterService);
