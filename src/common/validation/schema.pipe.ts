import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { firstMessage, type z } from './schema-parse';

/**
 * Parses a route's body, query or parameter with its schema: the handler gets the schema's
 * output, a client mistake is a 400 in Nest's shape (or what `refuse` makes of the message). The
 * schemas of HTTP inputs write whole messages, field name included, as their answers always had.
 */
export class SchemaPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly refuse: (message: string) => Error = (message) =>
      new BadRequestException(message),
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (!result.success) throw this.refuse(firstMessage(result.error));
    return result.data;
  }
}
