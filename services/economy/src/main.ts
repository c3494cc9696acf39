import { runStandalone } from '@necp/platform';
import { economyService } from './service.ts';

await runStandalone(economyService);
