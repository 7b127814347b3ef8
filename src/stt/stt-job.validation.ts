import { invalidJobPayload } from '../common/queues/job-validation';
import { QueueName } from '../contracts/queue-names';

/** Why an stt job payload is unusable (`field: what is allowed`), or undefined when it is fine. */
export function invalidSttJob(data: unknown): string | undefined {
  return invalidJobPayload(QueueName.Stt, data);
}
