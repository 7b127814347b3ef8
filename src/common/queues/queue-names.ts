/** Every BullMQ queue of the service. Each queue has exactly one consumer role. */
export enum QueueName {
  Stt = 'stt',
  Translation = 'translation',
}
