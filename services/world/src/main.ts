import { runStandalone } from '@necp/platform';
import { worldService } from './service.ts';

await runStandalone(worldService);
