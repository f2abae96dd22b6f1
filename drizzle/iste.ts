import { sql } from 'drizzle-orm';
import type { Executor } from './db.ts';
import { frameworkStandards, frameworks, ISTE_STANDARDS } from './tables/index.ts';

export const ISTE_FRAMEWORK_NAME = 'ISTE Standards for Educators';
export const ISTE_FRAMEWORK_URL = 'https://iste.org/standards/educators';

/** The ISTE Standards for Educators, with their codes and a one-line summary in our words. */
export const ISTE_STANDARD_INFO: Record<
  (typeof ISTE_STANDARDS)[number],
  { code: string; name: string; summary: string }
> = {
  learner: {
    code: '2.1',
    name: 'Learner',
    summary:
      'Keeps improving their practice by learning from and with others and trying new approaches.',
  },
  leader: {
    code: '2.2',
    name: 'Leader',
    summary:
      'Shapes a shared vision for technology in learning and advocates for equitable access.',
  },
  citizen: {
    code: '2.3',
    name: 'Citizen',
    summary: 'Helps students act safely, responsibly and kindly as members of the digital world.',
  },
  collaborator: {
    code: '2.4',
    name: 'Collaborator',
    summary: 'Works with colleagues and students to plan, share ideas and solve problems together.',
  },
  designer: {
    code: '2.5',
    name: 'Designer',
    summary: 'Designs learner-driven activities and environments that adapt to varied needs.',
  },
  facilitator: {
    code: '2.6',
    name: 'Facilitator',
    summary: 'Supports students in owning their learning, alone and in groups, with technology.',
  },
  analyst: {
    code: '2.7',
    name: 'Analyst',
    summary: 'Uses data from varied assessments to guide instruction and support student goals.',
  },
};

/**
 * Adds the ISTE Standards for Educators framework when it is missing, and aligns every badge to
 * the ISTE standards named in its `iste_standards` column. Safe to run at every start and after
 * the demo data is reset.
 */
export async function ensureIsteFramework(db: Executor): Promise<void> {
  await db
    .insert(frameworks)
    .values({ name: ISTE_FRAMEWORK_NAME, url: ISTE_FRAMEWORK_URL })
    .onConflictDoNothing();
  const [framework] = await db
    .select({ id: frameworks.id })
    .from(frameworks)
    .where(
      sql`${frameworks.districtId} is null and lower(${frameworks.name}) = lower(${ISTE_FRAMEWORK_NAME})`,
    );
  if (!framework) {
    throw new Error('The ISTE framework is missing after inserting it');
  }
  await db
    .insert(frameworkStandards)
    .values(
      ISTE_STANDARDS.map((key, position) => ({
        frameworkId: framework.id,
        ...ISTE_STANDARD_INFO[key],
        position,
      })),
    )
    .onConflictDoNothing();
  const codes = sql.join(
    ISTE_STANDARDS.map((key) => sql`(${key}, ${ISTE_STANDARD_INFO[key].code})`),
    sql`, `,
  );
  await db.execute(
    sql`insert into badge_alignments (badge_id, standard_id)
      select b.id, s.id
      from badges b
      cross join lateral unnest(b.iste_standards) as named(key)
      join (values ${codes}) as codes(key, code) on codes.key = named.key
      join framework_standards s on s.framework_id = ${framework.id} and s.code = codes.code
      on conflict do nothing`,
  );
}
