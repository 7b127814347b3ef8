/**
 * Reads a Server-Sent Events body as it arrives: feed it chunks, get each complete event's data
 * (the `data:` lines joined by newlines; events without data are skipped).
 */
export class SseReader {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const event = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data) out.push(data);
    }
    return out;
  }
}
