import { A, useLocation } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { plainIssue } from '../lib/plain-issues.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';
import { ActionError, Empty, ErrorState, Loading } from './status.tsx';

type RuleKind =
  | 'SESSIONS_ATTENDED'
  | 'REPLIES_POSTED'
  | 'THREADS_STARTED'
  | 'REACTIONS_RECEIVED'
  | 'PATHWAY';

interface Rule {
  id: string;
  kind: RuleKind;
  threshold: number;
  summary: string;
  awardedCount: number;
}

interface BadgeOption {
  id: string;
  name: string;
}

interface BadgeRulesData {
  badge: {
    id: string;
    viewerCanManage: boolean;
    kind: 'PARTICIPATION' | 'MICROCREDENTIAL';
    rules: Rule[];
    viewerProgress:
      | { count: number; threshold: number; met: boolean; rule: { id: string } }[]
      | null;
    community: { id: string; badges: { nodes: BadgeOption[] } | null } | null;
    district: { id: string; badges: { nodes: BadgeOption[] } | null } | null;
  } | null;
}

const BADGE_RULES = `query BadgeRules($id: ID!) { badge(id: $id) {
  id viewerCanManage kind
  rules { id kind threshold summary awardedCount }
  viewerProgress { count threshold met rule { id } }
  community { id badges(first: 100) { nodes { id name } } }
  district { id badges(first: 100) { nodes { id name } } } } }`;

const DELETE_RULE = mutationDocument('deleteBadgeRule', 'DeleteBadgeRuleInput', 'id');
const CREATE_RULE = mutationDocument(
  'createBadgeRule',
  'CreateBadgeRuleInput',
  'id summary awardedCount',
);

/** Maximum rules per badge, as the API enforces. */
const MAX_RULES = 5;
/** Ranges of a rule's threshold and minutes per session, as the API enforces. */
const THRESHOLD_RANGE = { min: 1, max: 10_000 };
const MINUTES_RANGE = { min: 0, max: 720 };

/**
 * Parses a whole number typed into a field, or returns null when the text is not one within the
 * range, such as "2.5", "1e3" or a number past the range. GraphQL's Int would reject those with a
 * message about the request's variables, so the form catches them first.
 */
function parseWholeNumber(text: string, range: { min: number; max: number }): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= range.min && value <= range.max ? value : null;
}

/**
 * The message for a number outside a range, worded as the API's, such as "The number must be a
 * whole number from 1 to 10000."
 */
function rangeMessage(label: string, range: { min: number; max: number }): string {
  return `${label} must be a whole number from ${range.min} to ${range.max}.`;
}

const KIND_LABELS: Record<RuleKind, string> = {
  SESSIONS_ATTENDED: 'Live sessions attended',
  REPLIES_POSTED: 'Replies posted',
  THREADS_STARTED: 'Threads started',
  REACTIONS_RECEIVED: 'Reactions received from others',
  PATHWAY: 'Other badges earned (a pathway)',
};

const THRESHOLD_LABELS: Record<RuleKind, string> = {
  SESSIONS_ATTENDED: 'How many sessions',
  REPLIES_POSTED: 'How many replies',
  THREADS_STARTED: 'How many threads',
  REACTIONS_RECEIVED: 'How many reactions',
  PATHWAY: 'How many of the chosen badges',
};

/**
 * Renders the "How to earn it" section of a badge page: its rules in words with the viewer's
 * progress, and for those who manage the badge, forms to add and remove rules. `onChanged` runs
 * after a change, since a new rule may award the badge at once.
 */
export function BadgeRules(props: { badgeId: string; onChanged?: () => void }) {
  const location = useLocation();
  const query = createGraphQLQuery<BadgeRulesData, { id: string; viewerId: string | null }>(
    BADGE_RULES,
    () => viewerLoaded() && { id: props.badgeId, viewerId: viewer()?.id ?? null },
  );
  const badge = () => query.data()?.badge;
  const progressOf = (ruleId: string) =>
    badge()?.viewerProgress?.find((progress) => progress.rule.id === ruleId);
  const changed = () => {
    query.refetch();
    props.onChanged?.();
  };

  return (
    <section aria-labelledby="badge-rules-heading" data-testid="badge-rules">
      <h2 id="badge-rules-heading">How to earn it</h2>
      <Switch>
        <Match when={!query.data() && query.error()}>
          {(message) => <ErrorState message={message()} onRetry={query.refetch} />}
        </Match>
        <Match when={!query.data()}>
          <Loading label="Loading how to earn this badge…" />
        </Match>
        <Match when={badge()}>
          {(current) => (
            <>
              <Show
                when={current().rules.length > 0}
                fallback={
                  <Empty>
                    {current().kind === 'MICROCREDENTIAL'
                      ? 'This microcredential is earned with evidence that a reviewer approves, or awarded by hand'
                      : 'This badge is awarded by hand'}
                    {current().viewerCanManage ? '; add a rule to award it automatically.' : '.'}
                  </Empty>
                }
              >
                <p class="meta">
                  {current().rules.length === 1
                    ? 'It is awarded automatically when you meet this rule:'
                    : 'It is awarded automatically when you meet any one of these rules:'}
                </p>
                <ul class="rows">
                  <For each={current().rules}>
                    {(rule) => (
                      <RuleItem
                        rule={rule}
                        progress={progressOf(rule.id)}
                        canManage={current().viewerCanManage}
                        onDeleted={changed}
                      />
                    )}
                  </For>
                </ul>
                <Show when={current().viewerProgress === null}>
                  <p class="meta">
                    <A href={signInPath(location.pathname)}>Sign in</A> to see your progress.
                  </p>
                </Show>
              </Show>
              <Show when={current().viewerCanManage}>
                <Show
                  when={current().rules.length < MAX_RULES}
                  fallback={
                    <p class="meta">
                      This badge has {MAX_RULES} rules, the most it may have. Remove one to add
                      another.
                    </p>
                  }
                >
                  <AddRuleForm
                    badgeId={current().id}
                    otherBadges={(
                      current().community?.badges?.nodes ??
                      current().district?.badges?.nodes ??
                      []
                    ).filter((other) => other.id !== current().id)}
                    onAdded={changed}
                  />
                </Show>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function RuleItem(props: {
  rule: Rule;
  progress: { count: number; threshold: number; met: boolean } | undefined;
  canManage: boolean;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const progressId = () => `rule-progress-${props.rule.id}`;

  const remove = async () => {
    setBusy(true);
    setError('');
    const outcome = await runMutation(DELETE_RULE, 'deleteBadgeRule', { ruleId: props.rule.id });
    setBusy(false);
    if (outcome.message) {
      setError(outcome.message);
      return;
    }
    props.onDeleted();
  };

  return (
    <li data-testid="badge-rule">
      <strong>{props.rule.summary}</strong>
      <Show when={props.progress}>
        {(progress) => (
          <p class="meta" data-testid="rule-progress">
            <label for={progressId()}>Your progress</label>{' '}
            <progress
              id={progressId()}
              max={progress().threshold}
              value={Math.min(progress().count, progress().threshold)}
              aria-describedby={`${progressId()}-text`}
              style={{ 'vertical-align': 'middle', 'max-width': '10rem', width: '40%' }}
            />{' '}
            <span id={`${progressId()}-text`}>
              {progress().met
                ? `done, ${progress().count} of ${progress().threshold}`
                : `${progress().count} of ${progress().threshold}`}
            </span>
          </p>
        )}
      </Show>
      <Show when={props.canManage}>
        <p class="meta">
          Awarded {pluralize(props.rule.awardedCount, 'time')} by this rule ·{' '}
          <button
            type="button"
            class="link-button danger"
            disabled={busy()}
            onClick={() => void remove()}
          >
            {busy() ? 'Removing…' : 'Remove'}
            <span class="visually-hidden"> the rule “{props.rule.summary}”</span>
          </button>
        </p>
        <ActionError message={error()} />
      </Show>
    </li>
  );
}

const FIELD_LABELS = {
  threshold: 'The number',
  minMinutes: 'Minutes per session',
  requiredBadgeIds: 'The pathway',
};

/**
 * Checks the rule form's fields before sending and returns the createBadgeRule input fields, or
 * every issue found, worded for the fields they belong to.
 */
function checkRuleFields(form: {
  kind: RuleKind;
  threshold: string;
  minutes: string;
  chosen: string[];
}): { fields: Record<string, unknown> } | { issues: { path: string[]; message: string }[] } {
  const isPathway = form.kind === 'PATHWAY';
  const countsMinutes = form.kind === 'SESSIONS_ATTENDED' && form.minutes.trim() !== '';
  const threshold = parseWholeNumber(form.threshold, THRESHOLD_RANGE);
  const minutes = parseWholeNumber(form.minutes, MINUTES_RANGE);
  const issues: { path: string[]; message: string }[] = [];
  if (!isPathway && form.threshold.trim() === '') {
    issues.push({ path: ['threshold'], message: 'Enter how many are needed.' });
  } else if (form.threshold.trim() !== '' && threshold === null) {
    const message = rangeMessage(FIELD_LABELS.threshold, THRESHOLD_RANGE);
    issues.push({ path: ['threshold'], message });
  }
  if (countsMinutes && minutes === null) {
    const message = rangeMessage(FIELD_LABELS.minMinutes, MINUTES_RANGE);
    issues.push({ path: ['minMinutes'], message });
  }
  if (isPathway && form.chosen.length < 2) {
    issues.push({ path: ['requiredBadgeIds'], message: 'Choose at least 2 badges.' });
  }
  if (issues.length > 0) {
    return { issues };
  }

  const fields: Record<string, unknown> = { kind: form.kind };
  if (threshold !== null) {
    fields.threshold = threshold;
  }
  if (countsMinutes) {
    fields.minMinutes = minutes;
  }
  if (isPathway) {
    fields.requiredBadgeIds = form.chosen;
  }
  return { fields };
}

function AddRuleForm(props: { badgeId: string; otherBadges: BadgeOption[]; onAdded: () => void }) {
  const [kind, setKind] = createSignal<RuleKind>('REPLIES_POSTED');
  const [threshold, setThreshold] = createSignal('');
  const [minutes, setMinutes] = createSignal('');
  const [chosen, setChosen] = createSignal<string[]>([]);
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['kind', 'threshold', 'minMinutes', 'requiredBadgeIds']);
  const issue = (field: keyof typeof FIELD_LABELS) =>
    plainIssue(field, submission.issue(field), FIELD_LABELS);

  const toggle = (badgeId: string, on: boolean) =>
    setChosen((current) => (on ? [...current, badgeId] : current.filter((id) => id !== badgeId)));

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const checked = checkRuleFields({
      kind: kind(),
      threshold: threshold(),
      minutes: minutes(),
      chosen: chosen(),
    });
    if ('issues' in checked) {
      submission.reject(checked.issues);
      return;
    }

    const input = { badgeId: props.badgeId, ...checked.fields };
    const outcome = await submission.submit(() =>
      runMutation<{ summary: string; awardedCount: number }>(CREATE_RULE, 'createBadgeRule', input),
    );
    if (outcome.data) {
      setSuccess(
        `Rule added: ${outcome.data.summary} It awarded the badge to ${pluralize(outcome.data.awardedCount, 'person', 'people')} right away.`,
      );
      setThreshold('');
      setMinutes('');
      setChosen([]);
      props.onAdded();
    }
  };

  return (
    <details class="panel">
      <summary>Add a rule</summary>
      <form onSubmit={submit} novalidate aria-label="Add a rule">
        <div class="field">
          <label for="rule-kind">What counts</label>
          <select
            id="rule-kind"
            value={kind()}
            onChange={(event) => {
              setKind(event.currentTarget.value as RuleKind);
              setSuccess('');
              submission.clear();
            }}
          >
            <For each={Object.entries(KIND_LABELS)}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </div>
        <Show when={kind() === 'PATHWAY'}>
          <fieldset
            class="field"
            classList={{ invalid: Boolean(issue('requiredBadgeIds')) }}
            aria-describedby={issue('requiredBadgeIds') ? 'rule-badges-error' : undefined}
          >
            <legend>Badges on the pathway</legend>
            <Show
              when={props.otherBadges.length >= 2}
              fallback={<p class="hint">A pathway needs at least 2 other badges of this issuer.</p>}
            >
              <p class="hint">Choose 2 to 20 badges.</p>
              <div>
                <For each={props.otherBadges}>
                  {(other) => (
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={chosen().includes(other.id)}
                        onChange={(event) => toggle(other.id, event.currentTarget.checked)}
                      />
                      {other.name}
                    </label>
                  )}
                </For>
              </div>
            </Show>
            <Show when={issue('requiredBadgeIds')}>
              <p class="field-error" id="rule-badges-error">
                {issue('requiredBadgeIds')}
              </p>
            </Show>
          </fieldset>
        </Show>
        <Field
          label={THRESHOLD_LABELS[kind()]}
          name="rule-threshold"
          type="number"
          inputMode="numeric"
          min={THRESHOLD_RANGE.min}
          max={THRESHOLD_RANGE.max}
          step={1}
          hint={kind() === 'PATHWAY' ? 'Leave it empty to require all of them.' : undefined}
          value={threshold()}
          onValue={setThreshold}
          error={issue('threshold')}
        />
        <Show when={kind() === 'SESSIONS_ATTENDED'}>
          <Field
            label="Minutes each session must be attended"
            name="rule-minutes"
            type="number"
            inputMode="numeric"
            min={MINUTES_RANGE.min}
            max={MINUTES_RANGE.max}
            step={1}
            hint="0 to 720; leave it empty to count any session with at least 1 minute."
            value={minutes()}
            onValue={setMinutes}
            error={issue('minMinutes')}
          />
        </Show>
        <FormMessage error={submission.formError()} success={success()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Adding…' : 'Add rule'}
        </button>
      </form>
    </details>
  );
}
