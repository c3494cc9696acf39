import { runStandalone } from '@necp/platform';
import { socialService } from './service.ts';

await runStandalone(socialService);
