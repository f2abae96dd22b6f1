import { isNull, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../drizzle/db.ts';
import { ISTE_FRAMEWORK_NAME } from '../../drizzle/iste.ts';
import { frameworkStandards, frameworks } from '../../drizzle/tables/index.ts';
import { canAdministerDistrict } from '../auth/access.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { InputValidator, parseHttpUrl } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';

export type FrameworkRow = typeof frameworks.$inferSelect;

/** Most standards one framework may hold. */
export const MAX_FRAMEWORK_STANDARDS = 100;

/**
 * Reduces a framework name to the form two names are compared in: compatibility-normalized
 * (NFKC, so full-width letters match), in lower case, with runs of white space as one space.
 */
function comparableName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Throws a ValidationError on `name` when it is the name of a framework for every community, such
 * as the ISTE Standards for Educators, so that a district's framework cannot pass for it.
 */
async function requireUnreservedName(db: Executor, name: string): Promise<void> {
  const shared = await db
    .select({ name: frameworks.name })
    .from(frameworks)
    .where(isNull(frameworks.districtId));
  const reserved = [ISTE_FRAMEWORK_NAME, ...shared.map((row) => row.name)];
  const match = reserved.find((candidate) => comparableName(candidate) === comparableName(name));
  if (match !== undefined) {
    throw ValidationError.of(
      'name',
      `"${match}" is the name of a framework that every community uses; choose a name of your district's own`,
    );
  }
}

interface StandardInput {
  code: string;
  name: string;
  summary: string;
}

/**
 * Adds a district's own framework of standards that its communities' badges may align to;
 * district admins only. The framework and its standards are written in one transaction, and the
 * audit log records it. ValidationError for invalid input or the name of a framework for every
 * community (compared ignoring case and extra spaces), ConflictError when the district already
 * has a framework of that name.
 */
export async function createFramework(
  ctx: ServiceContext,
  input: { districtId: number; name: string; url?: string | null; standards: StandardInput[] },
): Promise<FrameworkRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  // Runs of spaces count as one, so that names differing only in spacing are the same name.
  const name = validator.text('name', input.name, { max: 200 }).replace(/\s+/g, ' ');
  const url = input.url ? parseHttpUrl(validator, 'url', input.url) : null;
  if (input.standards.length === 0 || input.standards.length > MAX_FRAMEWORK_STANDARDS) {
    validator.add('standards', `must list 1 to ${MAX_FRAMEWORK_STANDARDS} standards`);
  }
  const seen = new Set<string>();
  const standards = input.standards.slice(0, MAX_FRAMEWORK_STANDARDS).map((standard, index) => {
    const cleaned = {
      code: validator.text(`standards.${index}.code`, standard.code, { max: 20 }),
      name: validator.text(`standards.${index}.name`, standard.name, { max: 120 }),
      summary: validator.text(`standards.${index}.summary`, standard.summary, { max: 300 }),
    };
    const key = cleaned.code.toLowerCase();
    if (cleaned.code && seen.has(key)) {
      validator.add(`standards.${index}.code`, `repeats the code "${cleaned.code}"`);
    }
    seen.add(key);
    return cleaned;
  });
  validator.check();
  if (!canAdministerDistrict(viewer, input.districtId)) {
    throw new ForbiddenError("Only the district's admins add its frameworks.");
  }
  await requireUnreservedName(ctx.db, name);

  return runInTransaction(ctx, async (tx) => {
    const [framework] = await tx
      .insert(frameworks)
      .values({ districtId: input.districtId, name, url, createdById: viewer.id })
      .onConflictDoNothing()
      .returning();
    if (!framework) {
      throw new ConflictError(`This district already has a framework named "${name}".`);
    }
    await tx.insert(frameworkStandards).values(
      standards.map((standard, position) => ({
        frameworkId: framework.id,
        ...standard,
        position,
      })),
    );
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'district.framework_added',
      districtId: input.districtId,
      details: { frameworkId: framework.id, name, standards: standards.length },
    });
    return framework;
  });
}

/**
 * Checks that every standard may be used by a badge of a community: standards of frameworks for
 * everyone, or of the community's own district. Returns the ids, without repeats.
 */
export async function usableStandardIds(
  ctx: ServiceContext,
  standardIds: number[],
  communityDistrictId: number | null,
): Promise<number[]> {
  const unique = [...new Set(standardIds)];
  if (unique.length === 0) {
    return [];
  }
  const rows = await ctx.db.execute(
    sql`select s.id from framework_standards s join frameworks f on f.id = s.framework_id
      where s.id in (${sql.join(
        unique.map((id) => sql`${id}`),
        sql`, `,
      )}) and (f.district_id is null or f.district_id = ${communityDistrictId ?? -1})`,
  );
  const found = new Set(rowsOf(rows).map((row) => Number(row.id)));
  return unique.filter((id) => found.has(id));
}
