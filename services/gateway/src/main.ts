import { runStandalone } from '@necp/platform';
import { gatewayService } from './service.ts';

await runStandalone(gatewayService);
