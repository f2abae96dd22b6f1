import { describe, expect, test } from 'vitest';
import { createEventStreamParser, type ServerSentEvent } from '../../client/widgets/runtime/sse.ts';

function parse(chunks: string[], end = true): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createEventStreamParser((event) => events.push(event));
  for (const chunk of chunks) {
    parser.push(chunk);
  }
  if (end) {
    parser.end();
  }
  return events;
}

describe('createEventStreamParser', () => {
  test('parses graphql-yoga next and complete events', () => {
    const events = parse([
      ':\n\n',
      'event: next\n',
      'data: {"data":{"a":1}}\n\n',
      'event: complete\n',
      'data:\n\n',
    ]);

    expect(events).toEqual([
      { event: 'next', data: '{"data":{"a":1}}' },
      { event: 'complete', data: '' },
    ]);
  });

  test('joins events split across chunks', () => {
    const text = 'event: next\ndata: {"x":"y"}\n\n';

    const events = parse(text.split(''));

    expect(events).toEqual([{ event: 'next', data: '{"x":"y"}' }]);
  });

  test('accepts CRLF, CR and LF line ends', () => {
    const events = parse([
      'event: a\r',
      '\ndata: 1\r\n\r',
      '\nevent: b\rdata: 2\r\r',
      'data: 3\n\n',
    ]);

    expect(events).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  test('joins several data lines with line feeds', () => {
    const events = parse(['data: first\ndata:second\ndata:  third\n\n']);

    expect(events).toEqual([{ event: 'message', data: 'first\nsecond\n third' }]);
  });

  test('skips comments, unknown fields and empty events', () => {
    const events = parse([': keep-alive\nid: 7\nretry: 10\n\nfoo: bar\ndata\n\n']);

    expect(events).toEqual([{ event: 'message', data: '' }]);
  });

  test('drops an event left without its blank line', () => {
    const events = parse(['event: next\ndata: {}\n', 'event: next\ndata: {"late":true}']);

    expect(events).toEqual([]);
  });
});
