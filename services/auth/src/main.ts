import { runStandalone } from '@necp/platform';
import { authService } from './service.ts';

await runStandalone(authService);
