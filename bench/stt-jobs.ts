import { type Queue } from 'bullmq';
import { JOB_PRIORITY } from 'src/common/queues/job-defaults';
import { type SttJob } from 'src/contracts/job-payloads';
import { type AudioStoreService } from 'src/utterance/audio-store.service';
import { type UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';

export interface SttJobProducer {
  queue: Queue<SttJob>;
  audio: AudioStoreService;
  revisions: UtteranceRevisionsService;
}

/** Queues one stt job as the gateway does: audio stored, revision marked, then the job. */
export async function enqueueSttJob(
  { queue, audio, revisions }: SttJobProducer,
  job: {
    sessionId: string;
    index: number;
    revision: number;
    kind: 'interim' | 'final';
    pcm16: Buffer;
  },
): Promise<void> {
  const { sessionId, index, revision, kind, pcm16 } = job;
  const utteranceId = `${sessionId}:${index}`;
  const audioKey = audio.keyFor(utteranceId, revision);
  await audio.put(audioKey, pcm16);
  await revisions.mark(utteranceId, revision);
  const now = Date.now();
  await queue.add(
    kind,
    {
      sessionId,
      utteranceId,
      index,
      kind,
      revision,
      audioKey,
      sampleRate: 16000,
      startSec: 0,
      endSec: pcm16.length / 32000,
      language: 'en',
      task: 'transcribe',
      targets: [],
      interimTranslations: false,
      enqueuedAt: now,
      utteranceEndedAt: now,
    },
    { jobId: `${utteranceId}:${revision}`, priority: JOB_PRIORITY[kind] },
  );
}
