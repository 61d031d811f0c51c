// Jobs in flight, answered in the order they were sent: the parallel gzip's blocks and the cipher worker's
// chunks are both handed to workers as they come and must leave in order, with a bound on how many wait, so
// that memory stays bounded and backpressure reaches the stage before.

export class InOrder<T> {
  readonly #answers: Promise<T>[] = [];

  /** The answer to the job just sent. Its failure is reported when it is awaited in turn (not as unhandled if the stream is abandoned first). */
  add(answer: Promise<T>): void {
    answer.catch(() => {});
    this.#answers.push(answer);
  }

  /** Await the oldest answers, handing each to `take` in order, until at most `keep` are left in flight. */
  async drain(keep: number, take: (answer: T) => void): Promise<void> {
    while (this.#answers.length > keep) take(await (this.#answers.shift() as Promise<T>));
  }
}
