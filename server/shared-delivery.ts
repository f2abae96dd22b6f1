import type { AsyncLocalStorage } from 'node:async_hooks';
import { and, asc, eq, gt, lte } from 'drizzle-orm';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  Kind,
  visit,
} from 'graphql';
import type { WebSocket } from 'ws';
import { events } from '../drizzle/tables/index.ts';
import type { GraphQLContext } from '../schema/index.ts';
import type { TopicStream } from '../schema/subscriptions/stream.ts';
import type { ViewerAccess } from './auth/viewer-access.ts';
import { ForbiddenError, UnavailableError } from './errors.ts';
import type { Logger } from './log.ts';
import type { EventHub, EventRow } from './pubsub/event-hub.ts';
import { communityAccessTopic } from './services/membership.ts';
import { maskError, type OperationScope } from './yoga-plugins.ts';

/** One WebSocket operation whose topic stream the server delivers itself. */
export interface SharedOperation {
  socket: WebSocket;
  /** The graphql-ws operation id, spliced into each message. */
  operationId: string;
  /** The socket's context: its viewer, access and sign-in. */
  base: GraphQLContext;
  stream: TopicStream;
  /** The operation as graphql-ws would execute it. */
  args: ExecutionArgs;
  /** The document's text, which with the variables and endpoint decides who shares a payload. */
  source: string;
  /** Separates the endpoints, which run different plugins: "graphql" or "embed". */
  endpoint: string;
}

export interface DeliveryStats {
  /** Groups of subscribers sharing a topic, a document and variables. */
  groups: number;
  subscribers: number;
  /** Events delivered, counted once per group. */
  eventsDelivered: number;
  /** Payloads resolved for those events: one per event and group unless payloads are personal. */
  payloadsResolved: number;
}

/** The iterator that graphql-ws reads for a shared operation; it yields at most one final error. */
export type SharedIterator = AsyncIterableIterator<ExecutionResult>;

interface Member {
  socket: WebSocket;
  /**
   * `{"id":"<operation id>","type":"next","payload":`, kept as a string: a small Buffer would be
   * a slice that keeps a whole 8 KiB pool alive.
   */
  prefix: string;
  base: GraphQLContext;
  /** Subscribers with the same key have the same access: same viewer, same embed key. */
  accessKey: string;
  /** Only events with a greater id go to this subscriber. */
  afterId: number;
  /** Payloads held back while the subscriber's history is replayed. */
  backlog: { id: number; payload: Buffer }[] | null;
  end: (result?: ExecutionResult) => void;
}

interface Template {
  args: ExecutionArgs;
  stream: TopicStream;
  base: GraphQLContext;
  accessKey: string;
}

interface Group {
  key: string;
  members: Set<Member>;
  /** Id of the last event of the topic that the group has delivered, or that preceded it. */
  cursor: number;
  /** Id of the event being delivered now, whose recipients were chosen before it began. */
  delivering: number;
  template: Template;
  stop: AbortController;
  stopWatching: () => void;
}

const CLOSING_BRACE = 0x7d;
/** The message of an unexpected error, the same as Yoga's masking sends. */
const MASKED_MESSAGE = 'Unexpected error.';
const TEXT = { binary: false };
const REPLAY_BATCH = 500;
const NO_ACCESS = 'You no longer have access to this; the subscription has ended.';
const DELIVERY_FAILED =
  'An event could not be delivered; subscribe again with the last eventId as `after` to resume.';

/**
 * Context fields that a payload may read without depending on who receives it. A resolver that
 * reads any other field but `access` (the viewer, their sign-in) makes the payload personal, and
 * it is then resolved once per distinct viewer instead of once for everyone.
 */
const SHARED_CONTEXT_FIELDS = new Set([
  'db',
  'events',
  'log',
  'publicUrl',
  'presenceTimeoutMs',
  'isOwnOrigin',
  'then',
]);

// NOTE: only WebSocket subscriptions are shared. Over server-sent events (the widgets' fallback)
// each subscriber still has its own stream, access checks and execution per event.

/**
 * Delivers topic events to WebSocket subscribers with the work done once per event rather than
 * once per socket. Subscribers of the same topic with the same document, variables (apart from
 * `after`) and endpoint form a group. For each event, the group checks access once per distinct
 * viewer, resolves the payload once, serializes it once, and splices each subscriber's
 * operation id into the same bytes. A viewer whose access checks give other results, or any
 * viewer when the payload reads the viewer directly, gets a payload resolved for them alone.
 * Per subscriber, what remains is a small record and the write to its socket.
 */
export class SharedDelivery {
  private readonly groups = new Map<string, Group>();
  private readonly pendingGroups = new Map<string, Promise<Group>>();

  constructor(
    private readonly hub: EventHub,
    private readonly scope: AsyncLocalStorage<OperationScope>,
    private readonly log: Logger,
  ) {}

  /** Payloads resolved and serialized since the start, one or more per event and group. */
  private payloadsResolved = 0;
  private eventsDelivered = 0;

  /** Returns the counts of groups, subscribers, events and payloads, for tests and benchmarks. */
  stats(): DeliveryStats {
    let subscribers = 0;
    for (const group of this.groups.values()) {
      subscribers += group.members.size;
    }
    return {
      groups: this.groups.size,
      subscribers,
      eventsDelivered: this.eventsDelivered,
      payloadsResolved: this.payloadsResolved,
    };
  }

  async join(operation: SharedOperation): Promise<SharedIterator> {
    const { stream, base } = operation;
    const key = groupKey(operation);
    const accessKey = accessKeyOf(base);
    let done = false;
    let final: ExecutionResult | null = null;
    let wake: ((next: IteratorResult<ExecutionResult>) => void) | null = null;
    let member: Member | null = null;
    let group: Group | null = null;
    const leave = () => {
      if (member && group) {
        this.leave(group, member);
      }
    };
    // Ends the operation, with a last result (an error) for graphql-ws to send before complete.
    const end = (result?: ExecutionResult) => {
      if (done) {
        return;
      }
      done = true;
      leave();
      const resolve = wake;
      wake = null;
      if (resolve) {
        resolve(result ? { value: result, done: false } : { value: undefined, done: true });
      } else if (result) {
        final = result;
      }
    };
    const iterator: SharedIterator = {
      next: () => {
        if (final) {
          const value = final;
          final = null;
          return Promise.resolve({ value, done: false });
        }
        if (done) {
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return: () => {
        if (!done) {
          done = true;
          leave();
        }
        final = null;
        const resolve = wake;
        wake = null;
        resolve?.({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };

    group = await this.groupFor(key, operation, accessKey);
    member = {
      socket: operation.socket,
      prefix: `{"id":${JSON.stringify(operation.operationId)},"type":"next","payload":`,
      base,
      accessKey,
      afterId: stream.after ?? group.cursor,
      backlog: null,
      end,
    };
    group.members.add(member);
    // The event being delivered now chose its recipients without this member, so a resuming
    // member replays it too.
    const replayUntil = Math.max(group.cursor, group.delivering);
    if (stream.after !== null && stream.after < replayUntil) {
      member.backlog = [];
      void this.replay(group, member, operation, stream.after, replayUntil);
    }
    return iterator;
  }

  private async groupFor(key: string, operation: SharedOperation, accessKey: string) {
    const existing = this.groups.get(key);
    if (existing) {
      return existing;
    }
    let pending = this.pendingGroups.get(key);
    if (!pending) {
      pending = this.createGroup(key, operation, accessKey).finally(() =>
        this.pendingGroups.delete(key),
      );
      this.pendingGroups.set(key, pending);
    }
    return pending;
  }

  private async createGroup(
    key: string,
    operation: SharedOperation,
    accessKey: string,
  ): Promise<Group> {
    const { stream } = operation;
    const group: Group = {
      key,
      members: new Set(),
      cursor: await this.hub.latestEventId(stream.topic),
      delivering: 0,
      template: {
        args: operation.args,
        stream,
        base: operation.base,
        accessKey,
      },
      stop: new AbortController(),
      stopWatching: () => {},
    };
    if (stream.communityId !== null) {
      group.stopWatching = this.hub.watch(communityAccessTopic(stream.communityId), () => {
        void this.recheck(group);
      });
    }
    this.groups.set(key, group);
    void this.run(group);
    return group;
  }

  private async run(group: Group): Promise<void> {
    try {
      for await (const row of this.hub.subscribe(
        group.template.stream.topic,
        group.cursor,
        group.stop.signal,
      )) {
        group.delivering = row.id;
        await this.deliver(group, row);
        group.cursor = row.id;
      }
    } catch (error) {
      this.log.error({ err: error, topic: group.template.stream.topic }, 'Shared delivery failed');
      for (const member of [...group.members]) {
        member.end(await this.errorResult(group, member, new UnavailableError(DELIVERY_FAILED)));
      }
    }
  }

  private leave(group: Group, member: Member): void {
    group.members.delete(member);
    if (group.members.size === 0 && this.groups.get(group.key) === group) {
      this.groups.delete(group.key);
      group.stop.abort();
      group.stopWatching();
    }
  }

  /** Delivers one event to every member of the group that may have it. */
  private async deliver(group: Group, row: EventRow): Promise<void> {
    const byAccess = membersByAccess(group, (member) => row.id > member.afterId);
    if (byAccess.size === 0) {
      return;
    }
    const { template } = group;
    const { stream } = template;
    const audiences = [...byAccess.values()].map((members) => ({
      members,
      access: (members[0] as Member).base.access.fresh(),
    }));
    try {
      // The payload is resolved while access is checked. Each audience then shares it, unless its
      // access checks give other results, in which case it gets a payload of its own.
      const tracked = trackedContext(template);
      const shared = this.execute(template, row, tracked.context).then(serialize);
      shared.catch(() => {});
      let resolved = 1;
      const payloads = await Promise.all(
        audiences.map(async ({ members, access }): Promise<Buffer | 'refused' | null> => {
          const first = members[0] as Member;
          if (!(await stream.mayRead(access))) {
            return 'refused';
          }
          if (await stream.hide?.(row, { viewer: first.base.viewer, access })) {
            return null;
          }
          const payload = await shared;
          if (
            first.accessKey === template.accessKey ||
            (!tracked.personal && (await tracked.sameAccess(access)))
          ) {
            return payload;
          }
          resolved += 1;
          return serialize(await this.execute(template, row, contextFor(template, first.base)));
        }),
      );
      this.eventsDelivered += 1;
      this.payloadsResolved += resolved;
      this.log.debug(
        { topic: stream.topic, eventId: row.id, audiences: audiences.length, resolved },
        'Delivered an event',
      );
      for (let position = 0; position < audiences.length; position++) {
        const payload = payloads[position];
        const { members } = audiences[position] as (typeof audiences)[number];
        if (payload === 'refused') {
          for (const member of members) {
            member.end(await this.errorResult(group, member, new ForbiddenError(NO_ACCESS)));
          }
        } else if (payload) {
          for (const member of members) {
            if (member.backlog) {
              member.backlog.push({ id: row.id, payload });
            } else {
              send(member, payload);
            }
          }
        }
      }
    } catch (error) {
      this.log.error(
        { err: error, topic: stream.topic, eventId: row.id },
        'Delivering an event failed; its subscribers are asked to resume',
      );
      for (const members of byAccess.values()) {
        for (const member of members) {
          member.end(await this.errorResult(group, member, new UnavailableError(DELIVERY_FAILED)));
        }
      }
    }
  }

  /**
   * Runs the subscription field's resolver and the selection over one event, as graphql-js does
   * for each event of a subscription, with errors masked as the endpoint masks them.
   */
  private async execute(
    template: Template,
    rootValue: unknown,
    contextValue: unknown,
  ): Promise<ExecutionResult> {
    const log = template.base.log;
    const result = await this.scope.run({ count: 0, log }, () =>
      execute({ ...template.args, rootValue, contextValue }),
    );
    if (!result.errors) {
      return result;
    }
    return {
      ...result,
      errors: result.errors.map((error) => maskError(error, MASKED_MESSAGE, log) as GraphQLError),
    };
  }

  /** The result that ends a subscriber's operation with an error, as graphql-ws would send it. */
  private async errorResult(
    group: Group,
    member: Member,
    error: ForbiddenError | UnavailableError,
  ): Promise<ExecutionResult> {
    if (error instanceof ForbiddenError) {
      // The subscription field's resolver turns it into the same error a stream ends with.
      try {
        return await this.execute(group.template, error, contextFor(group.template, member.base));
      } catch {
        // Falls through to the plain form below.
      }
    }
    return {
      errors: [
        new GraphQLError(error.message, {
          extensions: { code: error instanceof ForbiddenError ? 'FORBIDDEN' : error.code },
        }),
      ],
    };
  }

  /** Checks every member's access again, after the community's access changed. */
  private async recheck(group: Group): Promise<void> {
    const byAccess = membersByAccess(group, () => true);
    await Promise.all(
      [...byAccess.values()].map(async (members) => {
        const first = members[0] as Member;
        let allowed: boolean;
        try {
          allowed = await group.template.stream.mayRead(first.base.access.fresh());
        } catch (error) {
          this.log.warn({ err: error }, 'Checking subscribers’ access failed');
          return;
        }
        if (!allowed) {
          for (const member of members) {
            member.end(await this.errorResult(group, member, new ForbiddenError(NO_ACCESS)));
          }
        }
      }),
    );
  }

  /**
   * Sends a subscriber the topic's events from `after` up to where the group stood when it
   * joined, resolved for it alone, then what the group delivered meanwhile.
   */
  private async replay(
    group: Group,
    member: Member,
    operation: SharedOperation,
    after: number,
    until: number,
  ): Promise<void> {
    const { stream } = group.template;
    const template: Template = { ...group.template, args: operation.args, base: member.base };
    const context = contextFor(template, member.base);
    let last = after;
    try {
      for (;;) {
        const rows = await member.base.db
          .select()
          .from(events)
          .where(and(eq(events.topic, stream.topic), gt(events.id, last), lte(events.id, until)))
          .orderBy(asc(events.id))
          .limit(REPLAY_BATCH);
        for (const row of rows) {
          const access = member.base.access.fresh();
          if (!(await stream.mayRead(access))) {
            member.end(await this.errorResult(group, member, new ForbiddenError(NO_ACCESS)));
            return;
          }
          last = row.id;
          if (!(await stream.hide?.(row, { viewer: member.base.viewer, access }))) {
            const result = await this.execute(template, row, { ...context, access });
            send(member, Buffer.from(JSON.stringify(result)));
          }
        }
        if (rows.length < REPLAY_BATCH) {
          break;
        }
      }
      for (const waiting of member.backlog ?? []) {
        if (waiting.id > last) {
          send(member, waiting.payload);
        }
      }
      member.backlog = null;
    } catch (error) {
      this.log.error({ err: error, topic: stream.topic }, 'Replaying events failed');
      member.end(await this.errorResult(group, member, new UnavailableError(DELIVERY_FAILED)));
    }
  }
}

/** Groups the members that `include` accepts by their access key. */
function membersByAccess(
  group: Group,
  include: (member: Member) => boolean,
): Map<string, Member[]> {
  const byAccess = new Map<string, Member[]>();
  for (const member of group.members) {
    if (!include(member)) {
      continue;
    }
    const same = byAccess.get(member.accessKey);
    if (same) {
      same.push(member);
    } else {
      byAccess.set(member.accessKey, [member]);
    }
  }
  return byAccess;
}

/** An access check that a payload's resolvers made, with its result. */
interface AccessCall {
  method: string;
  args: unknown[];
  answer: Promise<unknown>;
}

/**
 * Wraps the template's context for one execution, noting whether the payload depends on who
 * receives it. Reading the viewer or their sign-in makes it personal. Access checks are recorded
 * instead: another viewer shares the payload when the same checks give the same results.
 */
function trackedContext(template: Template) {
  const calls: AccessCall[] = [];
  const state = { personal: false };
  const access = template.base.access.fresh();
  const recordingAccess: ViewerAccess = new Proxy(access, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === 'fresh') {
        return () => recordingAccess;
      }
      if (
        typeof key === 'string' &&
        RECORDED_ACCESS_CHECKS.has(key) &&
        typeof value === 'function'
      ) {
        return (...args: unknown[]) => {
          const answer = (value as (...values: unknown[]) => unknown).apply(target, args);
          calls.push({ method: key, args, answer: Promise.resolve(answer) });
          return answer;
        };
      }
      state.personal = true;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const context = new Proxy(
    { ...(template.args.contextValue as GraphQLContext), access: recordingAccess },
    {
      get(target, key, receiver) {
        if (typeof key === 'string' && key !== 'access' && !SHARED_CONTEXT_FIELDS.has(key)) {
          state.personal = true;
        }
        return Reflect.get(target, key, receiver);
      },
    },
  );
  return {
    context,
    get personal() {
      return state.personal;
    },
    /** Reports whether another viewer's access answers every recorded check the same way. */
    async sameAccess(other: ViewerAccess): Promise<boolean> {
      try {
        const answers = await Promise.all(
          calls.map(async (call) => {
            const method = Reflect.get(other, call.method) as (...values: unknown[]) => unknown;
            return [await call.answer, await method.apply(other, call.args)];
          }),
        );
        return answers.every(([mine, theirs]) => JSON.stringify(mine) === JSON.stringify(theirs));
      } catch {
        return false;
      }
    },
  };
}

/** ViewerAccess methods whose answers depend only on their arguments and the viewer's access. */
const RECORDED_ACCESS_CHECKS = new Set([
  'community',
  'membership',
  'communityIdOf',
  'canRead',
  'canSee',
  'requireVisible',
  'canReadParent',
  'canReadBadge',
  'badgeIssuer',
  'isDistrictReader',
  'requireReadable',
  'isViewer',
  'isBlockedWith',
  'moderatesContent',
  'canSeeContent',
]);

function serialize(result: ExecutionResult): Buffer {
  return Buffer.from(JSON.stringify(result));
}

/** Writes one graphql-ws `next` message: the member's prefix, the shared payload and `}`. */
function send(member: Member, payload: Buffer): void {
  if (member.socket.readyState !== 1) {
    return;
  }
  const prefixLength = Buffer.byteLength(member.prefix);
  const message = Buffer.allocUnsafeSlow(prefixLength + payload.length + 1);
  message.write(member.prefix, 0, prefixLength);
  payload.copy(message, prefixLength);
  message[message.length - 1] = CLOSING_BRACE;
  member.socket.send(message, TEXT);
}

/** Builds the template's context for one viewer, with that viewer's identity and fresh access. */
function contextFor(template: Template, base: GraphQLContext): GraphQLContext {
  return {
    ...(template.args.contextValue as GraphQLContext),
    viewer: base.viewer,
    access: base.access.fresh(),
    authToken: base.authToken,
    authSessionId: base.authSessionId,
    authExpiresAt: base.authExpiresAt,
    clientAddress: base.clientAddress,
    userAgent: base.userAgent,
    log: base.log,
  };
}

function accessKeyOf(base: GraphQLContext): string {
  return `${base.viewer?.id ?? 0}/${base.access.embed?.embedKeyId ?? 0}`;
}

function groupKey(operation: SharedOperation): string {
  const { args, stream, base } = operation;
  const variables = { ...(args.variableValues ?? {}) };
  const cursorVariable = afterVariableOf(args.document, args.operationName);
  if (cursorVariable) {
    delete variables[cursorVariable];
  }
  return [
    operation.endpoint,
    base.access.embed?.embedKeyId ?? 0,
    stream.topic,
    args.operationName ?? '',
    JSON.stringify(variables),
    operation.source,
  ].join('\u0000');
}

const afterVariables = new WeakMap<DocumentNode, string | null>();

/**
 * Finds the variable that the root field's `after` argument takes, when it is used nowhere else:
 * subscribers that differ only in where they resume share their payloads.
 */
function afterVariableOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): string | null {
  const known = afterVariables.get(document);
  if (known !== undefined) {
    return known;
  }
  const operation = getOperationAST(document, operationName);
  const field = operation?.selectionSet.selections[0];
  let name: string | null = null;
  if (field?.kind === Kind.FIELD) {
    const argument = field.arguments?.find((candidate) => candidate.name.value === 'after');
    if (argument?.value.kind === Kind.VARIABLE) {
      name = argument.value.name.value;
    }
  }
  if (name !== null) {
    let uses = 0;
    visit(document, {
      Variable(node) {
        if (node.name.value === name) {
          uses += 1;
        }
      },
    });
    // One use in the argument, one in the declaration.
    if (uses > 2) {
      name = null;
    }
  }
  afterVariables.set(document, name);
  return name;
}
