import { JOB_PAYLOAD_SCHEMAS } from '../../contracts/job-payloads';
import { type QueueName } from '../../contracts/queue-names';
import { parseWith } from '../validation/schema-parse';

/** Why a job payload of `queue` is unusable (`field: what is allowed`), or undefined when fine. */
export function invalidJobPayload(queue: QueueName, data: unknown): string | undefined {
  const parsed = parseWith(JOB_PAYLOAD_SCHEMAS[queue], data);
  return parsed.ok ? undefined : parsed.message;
}
