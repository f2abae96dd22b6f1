import { AWARD_SOURCES, RULE_KINDS } from '../../drizzle/tables/index.ts';
import {
  createBadgeRule,
  deleteBadgeRule,
  loadViewerRuleProgress,
  MAX_PATHWAY_BADGES,
  MAX_RULE_MIN_MINUTES,
  MAX_RULE_THRESHOLD,
  MAX_RULES_PER_BADGE,
  MIN_PATHWAY_BADGES,
  type RuleProgress,
  summarizeBadgeRule,
} from '../../server/services/badge-rules.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const BadgeRuleKindEnum = enumFromValues(
  'BadgeRuleKind',
  RULE_KINDS,
  "What a badge rule counts, within the badge's community, or within every community of the badge's district for a district badge.",
);

export const BadgeAwardSourceEnum = enumFromValues(
  'BadgeAwardSource',
  AWARD_SOURCES,
  'How an award came about.',
);

const BadgeRuleRef = builder.drizzleNode('badgeRules', {
  name: 'BadgeRule',
  description: `A rule that awards its badge automatically to an eligible person (an active member of its community, or staff of its district) once their count reaches the threshold. A badge has at most ${MAX_RULES_PER_BADGE} rules and is awarded when any one of them is met. After an award expires, only activity after that award counts toward earning it again; a person whose latest award was revoked is not awarded it again by rules.`,
  id: { column: (rule) => rule.id },
  authScopes: (rule) => ({ readBadge: rule.badgeId }),
  fields: (t) => ({
    badge: t.relation('badge', { description: 'The badge it awards.' }),
    kind: t.field({
      type: BadgeRuleKindEnum,
      description: 'What it counts.',
      resolve: (rule) => rule.kind,
    }),
    threshold: t.exposeInt('threshold', {
      description:
        'The count that earns the badge: sessions, replies, threads or reactions, or for a pathway how many of its badges.',
    }),
    minMinutes: t.int({
      nullable: true,
      description:
        'For SESSIONS_ATTENDED: credited minutes each session needs to count (0 and 1 both mean at least 1 minute); null for other kinds.',
      resolve: (rule) => (rule.kind === 'sessions_attended' ? rule.minMinutes : null),
    }),
    requiredBadges: t.relation('requiredBadges', {
      description: 'For PATHWAY: the badges it asks for, by name; empty for other kinds.',
      query: { orderBy: { name: 'asc' } },
    }),
    summary: t.string({
      description:
        'The rule in one sentence for educators, such as "Attend 3 live sessions for at least 30 minutes each."',
      resolve: (rule, _args, ctx) => summarizeBadgeRule(ctx.db, rule),
    }),
    awardedCount: t.int({
      description:
        'Awards this rule has made, including those since revoked or expired. Right after createBadgeRule, the number of people who already met it and were awarded at once.',
      select: {
        extras: {
          awardedCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from badge_awards a where a.rule_id = ${table.id})`,
        },
      },
      resolve: (rule) => rule.awardedCount,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was defined.',
      resolve: (rule) => rule.createdAt,
    }),
  }),
});

const BadgeRuleProgressRef = builder.objectRef<RuleProgress>('BadgeRuleProgress').implement({
  description: "The viewer's count toward one rule of a badge.",
  fields: (t) => ({
    rule: t.field({
      type: BadgeRuleRef,
      description: 'The rule.',
      resolve: (progress) => progress.rule,
    }),
    count: t.exposeInt('count', {
      description:
        "The viewer's count as the rule counts it now; it may pass the threshold, as it keeps counting after the badge is earned.",
    }),
    threshold: t.exposeInt('threshold', { description: 'The count that earns the badge.' }),
    met: t.boolean({
      description: 'Whether the count has reached the threshold.',
      resolve: (progress) => progress.count >= progress.threshold,
    }),
  }),
});

builder.drizzleObjectFields('badges', (t) => ({
  rules: t.relation('rules', {
    description: `The rules that award it automatically, oldest first; at most ${MAX_RULES_PER_BADGE}. The badge is awarded when any one of them is met.`,
    query: { orderBy: { id: 'asc' } },
  }),
  viewerProgress: t.field({
    type: [BadgeRuleProgressRef],
    nullable: true,
    description:
      "The signed-in viewer's count toward each rule, in the order of `rules`; null when signed out.",
    resolve: (badge, _args, ctx) => loadViewerRuleProgress(ctx, badge),
  }),
}));

builder.drizzleObjectFields('badgeAwards', (t) => ({
  source: t.field({
    type: BadgeAwardSourceEnum,
    description: 'How it came about: given by hand, by a rule, or by approving evidence.',
    resolve: (award) => award.source,
  }),
  rule: t.relation('rule', {
    nullable: true,
    description:
      'The rule that awarded it; null unless source is RULE, or once that rule was deleted.',
  }),
}));

builder.mutationFields((t) => ({
  createBadgeRule: t.drizzleField({
    type: 'badgeRules',
    description: `Adds a rule that awards a badge automatically, for those who manage the badge (its community's owners and facilitators, or its district's admins), and at once awards everyone who already meets it: see the new rule's awardedCount. The audit log records it. At most ${MAX_RULES_PER_BADGE} rules per badge.`,
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateBadgeRuleInput', {
          description: 'A badge and the rule that will award it.',
          fields: (f) => ({
            badgeId: f.id({ required: true, description: 'The badge the rule awards.' }),
            kind: f.field({
              type: BadgeRuleKindEnum,
              required: true,
              description: 'What the rule counts.',
            }),
            threshold: f.int({
              description: `The count that earns the badge, 1 to ${MAX_RULE_THRESHOLD}. Required, except for PATHWAY, where it is at most the number of required badges and defaults to all of them.`,
            }),
            minMinutes: f.int({
              description: `For SESSIONS_ATTENDED only: credited minutes, 0 to ${MAX_RULE_MIN_MINUTES}, that each session needs to count; default 0, which counts any session with at least 1 minute.`,
            }),
            requiredBadgeIds: f.idList({
              description: `For PATHWAY only: ${MIN_PATHWAY_BADGES} to ${MAX_PATHWAY_BADGES} distinct other badges of the same community (or the same district, for a district badge). None of them may lead back to this badge through its own pathway rules.`,
            }),
          }),
        }),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const { rule } = await createBadgeRule(ctx, {
        badgeId: parseGlobalId(String(input.badgeId), 'Badge', 'badgeId'),
        kind: input.kind,
        threshold: input.threshold,
        minMinutes: input.minMinutes,
        requiredBadgeIds: input.requiredBadgeIds?.map((id, index) =>
          parseGlobalId(String(id), 'Badge', `requiredBadgeIds.${index}`),
        ),
      });
      const loaded = await ctx.db.query.badgeRules.findFirst(query({ where: { id: rule.id } }));
      if (!loaded) {
        throw new Error(`Badge rule ${rule.id} was created but cannot be read back`);
      }
      return loaded;
    },
  }),
  deleteBadgeRule: t.drizzleField({
    type: 'badges',
    description:
      'Deletes a rule, for those who manage its badge, and returns the badge. Awards the rule made stay. The audit log records it.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DeleteBadgeRuleInput', {
          description: 'The rule to delete.',
          fields: (f) => ({ ruleId: f.id({ required: true, description: 'The BadgeRule.' }) }),
        }),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const badge = await deleteBadgeRule(ctx, {
        ruleId: parseGlobalId(String(input.ruleId), 'BadgeRule', 'ruleId'),
      });
      return (await ctx.db.query.badges.findFirst(query({ where: { id: badge.id } }))) ?? badge;
    },
  }),
}));
