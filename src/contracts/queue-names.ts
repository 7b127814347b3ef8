/** Every BullMQ queue of the service. Each queue has exactly one consumer role. */
export enum QueueName {
  Stt = 'stt',
  /**
   * Segments of uploaded files (OpenAI audio API), also for the stt role: a queue of their own so
   * they never hold the worker slots live speech needs, and at most STT_POOL_SIZE - 1 at a time.
   */
  SttUpload = 'stt-upload',
  Translation = 'translation',
}
