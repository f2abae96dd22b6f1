import { createSignal, For, Show } from 'solid-js';
import { client, describeError, runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { pluralize } from '../../lib/plural.ts';
import { createSubmission } from '../../lib/submission.ts';
import { formatRelative } from '../../lib/time.ts';
import { Field, FormMessage } from '../field.tsx';
import { Empty } from '../status.tsx';
import type { Room } from './room.ts';
import {
  MORE_QUESTIONS,
  QUESTION_FIELDS,
  type Question,
  type QuestionPage,
  type QuestionStatus,
} from './room-documents.ts';

const ASK = mutationDocument('askQuestion', 'AskQuestionInput', QUESTION_FIELDS);
const VOTE = mutationDocument('voteOnQuestion', 'VoteOnQuestionInput', QUESTION_FIELDS);
const SET_STATUS = mutationDocument('setQuestionStatus', 'SetQuestionStatusInput', QUESTION_FIELDS);

type QuestionOrder = 'votes' | 'newest';

/** Most votes first, and the oldest first among equal votes, as the server sorts them. */
function byVotes(left: Question, right: Question): number {
  return right.voteCount - left.voteCount || left.createdAt.localeCompare(right.createdAt);
}

function byNewest(left: Question, right: Question): number {
  return right.createdAt.localeCompare(left.createdAt);
}

/**
 * Renders the Q&A: a box to ask, the open questions sorted by votes or newest first with an
 * upvote toggle, and the answered and dismissed ones apart. Moderators mark questions answered
 * or dismissed, and reopen them.
 */
export function QuestionsPanel(props: { room: Room }) {
  const [order, setOrder] = createSignal<QuestionOrder>('votes');
  const [actionError, setActionError] = createSignal('');
  const [loadingMore, setLoadingMore] = createSignal(false);
  const questions = () => props.room.store.content.questions;
  const inStatus = (status: QuestionStatus) => questions().filter((q) => q.status === status);
  const open = () => [...inStatus('OPEN')].sort(order() === 'votes' ? byVotes : byNewest);
  const answered = () => [...inStatus('ANSWERED')].sort(byNewest);
  const dismissed = () => [...inStatus('DISMISSED')].sort(byNewest);

  let section: HTMLElement | undefined;

  /**
   * Runs a change to a question. A new status moves the question to another list, and a vote may
   * reorder it, which rebuilds its buttons. Focus then goes to the control that replaced the one
   * used: `focusTarget` names its data-action within the question.
   */
  const change = async (
    document: string,
    field: string,
    input: { questionId: string } & Record<string, unknown>,
    focusTarget: string,
  ) => {
    setActionError('');
    const outcome = await runMutation<Question>(document, field, input);
    if (outcome.data) {
      props.room.store.upsertQuestion(outcome.data);
    } else {
      setActionError(outcome.message ?? 'Changing the question failed.');
    }
    const active = window.document.activeElement;
    if (active === window.document.body || !active?.isConnected) {
      section
        ?.querySelector<HTMLElement>(
          `[data-question-id="${CSS.escape(input.questionId)}"] [data-action="${focusTarget}"]`,
        )
        ?.focus();
    }
  };

  const loadMore = async () => {
    const after = props.room.store.content.moreQuestionsCursor;
    if (!after) {
      return;
    }
    setLoadingMore(true);
    const result = await client
      .query<{ liveSession: { questions: QuestionPage } | null }>(MORE_QUESTIONS, {
        id: props.room.settings.id,
        after,
      })
      .toPromise();
    setLoadingMore(false);
    const page = result.data?.liveSession?.questions;
    if (page) {
      props.room.store.appendQuestions(page);
    } else {
      setActionError(
        result.error ? describeError(result.error) : 'The live session was not found.',
      );
    }
  };

  const item = (question: Question) => (
    <QuestionItem
      room={props.room}
      question={question}
      onVote={(vote) => change(VOTE, 'voteOnQuestion', { questionId: question.id, vote }, 'vote')}
      onStatus={(status) =>
        change(
          SET_STATUS,
          'setQuestionStatus',
          { questionId: question.id, status },
          status === 'OPEN' ? 'answer' : 'reopen',
        )
      }
    />
  );

  return (
    <section aria-labelledby="questions-heading" class="questions room-section" ref={section}>
      <h2 id="questions-heading">Questions</h2>
      <AskForm room={props.room} />
      <fieldset class="question-order">
        <legend class="visually-hidden">Sort open questions</legend>
        <button
          type="button"
          class="secondary"
          aria-pressed={order() === 'votes' ? 'true' : 'false'}
          onClick={() => setOrder('votes')}
        >
          Top voted
        </button>
        <button
          type="button"
          class="secondary"
          aria-pressed={order() === 'newest' ? 'true' : 'false'}
          onClick={() => setOrder('newest')}
        >
          Newest
        </button>
      </fieldset>
      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <h3 class="question-group">Open ({open().length})</h3>
      <Show when={open().length > 0} fallback={<Empty>No open questions.</Empty>}>
        <ol class="question-list" data-testid="open-questions">
          <For each={open()}>{item}</For>
        </ol>
      </Show>
      <Show when={props.room.store.content.moreQuestionsCursor}>
        <button type="button" class="link-button" disabled={loadingMore()} onClick={loadMore}>
          {loadingMore() ? 'Loading more questions…' : 'Show more questions'}
        </button>
      </Show>
      <Show when={answered().length > 0}>
        <h3 class="question-group">Answered ({answered().length})</h3>
        <ol class="question-list resolved" data-testid="answered-questions">
          <For each={answered()}>{item}</For>
        </ol>
      </Show>
      <Show when={dismissed().length > 0}>
        <h3 class="question-group">Dismissed ({dismissed().length})</h3>
        <ol class="question-list resolved" data-testid="dismissed-questions">
          <For each={dismissed()}>{item}</For>
        </ol>
      </Show>
    </section>
  );
}

function QuestionItem(props: {
  room: Room;
  question: Question;
  onVote: (vote: boolean) => Promise<void>;
  onStatus: (status: QuestionStatus) => Promise<void>;
}) {
  const [busy, setBusy] = createSignal(false);
  // The buttons stay enabled while busy, because disabling the focused one would drop focus.
  const run = async (action: () => Promise<void>) => {
    if (busy()) {
      return;
    }
    setBusy(true);
    await action();
    setBusy(false);
  };
  const isOpen = () => props.question.status === 'OPEN';
  const votes = () => pluralize(props.question.voteCount, 'vote');

  return (
    <li class="question" data-testid="question" data-question-id={props.question.id}>
      <p class="question-body">{props.question.body}</p>
      <p class="meta">
        {props.question.author?.displayName ?? 'Deleted user'} ·{' '}
        <time datetime={props.question.createdAt}>{formatRelative(props.question.createdAt)}</time>
      </p>
      <div class="question-actions">
        <Show
          when={isOpen() && props.room.settings.viewerCanChat}
          fallback={<span class="meta count-inline">{votes()}</span>}
        >
          <button
            type="button"
            class="secondary vote"
            aria-pressed={props.question.viewerHasVoted ? 'true' : 'false'}
            aria-disabled={busy() ? 'true' : undefined}
            data-testid="question-vote"
            data-action="vote"
            onClick={() => run(() => props.onVote(!props.question.viewerHasVoted))}
          >
            <span aria-hidden="true">▲ </span>Upvote
            <span class="count-inline"> · {votes()}</span>
          </button>
        </Show>
        <Show when={props.room.settings.viewerCanModerate}>
          <Show
            when={isOpen()}
            fallback={
              <button
                type="button"
                class="secondary"
                aria-disabled={busy() ? 'true' : undefined}
                data-action="reopen"
                onClick={() => run(() => props.onStatus('OPEN'))}
              >
                Reopen
              </button>
            }
          >
            <button
              type="button"
              class="secondary"
              aria-disabled={busy() ? 'true' : undefined}
              data-testid="question-answer"
              data-action="answer"
              onClick={() => run(() => props.onStatus('ANSWERED'))}
            >
              Answer
            </button>
            <button
              type="button"
              class="secondary"
              aria-disabled={busy() ? 'true' : undefined}
              onClick={() => run(() => props.onStatus('DISMISSED'))}
            >
              Dismiss
            </button>
          </Show>
        </Show>
      </div>
    </li>
  );
}

function AskForm(props: { room: Room }) {
  const [body, setBody] = createSignal('');
  const submission = createSubmission(['body']);
  const max = () => props.room.settings.questionMaxLength;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const outcome = await submission.submit(() =>
      runMutation<Question>(ASK, 'askQuestion', {
        liveSessionId: props.room.settings.id,
        body: body(),
      }),
    );
    if (outcome.data) {
      props.room.store.upsertQuestion(outcome.data);
      setBody('');
    }
  };

  return (
    <Show when={props.room.settings.viewerCanChat}>
      <form class="ask-form" onSubmit={submit}>
        <Field
          label="Ask a question"
          name="question-body"
          multiline
          rows="2"
          required
          maxLength={max()}
          hint={`Enter sends, Shift+Enter starts a new line. ${body().length} / ${max()} characters`}
          value={body()}
          onValue={setBody}
          error={submission.issue('body')}
          data-testid="question-body"
          onKeyDown={(event: KeyboardEvent & { currentTarget: HTMLElement }) => {
            // As in the chat, Enter submits and Shift+Enter starts a new line.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              event.currentTarget.closest('form')?.requestSubmit();
            }
          }}
        />
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()} data-testid="question-submit">
          {submission.busy() ? 'Asking…' : 'Ask'}
        </button>
      </form>
    </Show>
  );
}
