import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import {
  authSessions,
  districtAdmins,
  districtDomains,
  districts,
  schools,
  users,
} from '../../drizzle/tables/index.ts';
import { canAdministerDistrict, isPlatformAdmin } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator, validateEmail } from '../validation.ts';
import { authSessionTopic } from './account.ts';
import { recordAudit } from './audit.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';

export type DistrictRow = typeof districts.$inferSelect;
export type SchoolRow = typeof schools.$inferSelect;
export type DistrictDomainRow = typeof districtDomains.$inferSelect;

const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** Returns the part of an email address after the last @, lowercased. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Finds the district whose verified domain the email belongs to, or null. Only a verified
 * address at a verified domain (or the district's SSO) makes someone district staff.
 */
export async function districtForEmail(db: Executor, email: string): Promise<number | null> {
  const [row] = await db
    .select({ districtId: districtDomains.districtId })
    .from(districtDomains)
    .where(
      and(
        sql`lower(${districtDomains.domain}) = ${emailDomain(email)}`,
        isNotNull(districtDomains.verifiedAt),
      ),
    )
    .limit(1);
  return row?.districtId ?? null;
}

async function requireDistrictAdmin(ctx: ServiceContext, districtId: number): Promise<DistrictRow> {
  const viewer = requireViewer(ctx);
  const [district] = await ctx.db.select().from(districts).where(eq(districts.id, districtId));
  if (!district) {
    throw new NotFoundError('District not found.');
  }
  if (!canAdministerDistrict(viewer, districtId)) {
    throw new ForbiddenError("Only the district's admins and platform admins can do this.");
  }
  return district;
}

function requirePlatformAdmin(ctx: ServiceContext, action: string): void {
  const viewer = requireViewer(ctx);
  if (!isPlatformAdmin(viewer)) {
    throw new ForbiddenError(`Only platform admins can ${action}.`);
  }
}

/** Creates a district; platform admins only. */
export async function createDistrict(
  ctx: ServiceContext,
  input: { name: string; slug: string },
): Promise<DistrictRow> {
  requirePlatformAdmin(ctx, 'create districts');
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 200 });
  const slug = input.slug.trim();
  if (!SLUG_PATTERN.test(slug) || slug.length > 64) {
    validator.add(
      'slug',
      'must be 1 to 64 lowercase letters, digits and single hyphens, such as "riverbend-usd"',
    );
  }
  validator.check();

  return runInTransaction(ctx, async (tx) => {
    const [district] = await tx
      .insert(districts)
      .values({ name, slug })
      .onConflictDoNothing()
      .returning();
    if (!district) {
      throw new ConflictError(`The slug "${slug}" is already taken; choose another.`);
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.created',
      districtId: district.id,
      details: { name, slug },
    });
    ctx.log.info({ districtId: district.id, slug }, 'District created');
    return district;
  });
}

/** Makes a person with an account a district admin; the district's admins or platform admins. */
export async function addDistrictAdmin(
  ctx: ServiceContext,
  input: { districtId: number; email: string },
): Promise<DistrictRow> {
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  validator.check();
  const district = await requireDistrictAdmin(ctx, input.districtId);
  const [person] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  if (!person) {
    throw ValidationError.of('email', 'no account has this email; ask the person to sign up first');
  }
  await runInTransaction(ctx, async (tx) => {
    const inserted = await tx
      .insert(districtAdmins)
      .values({ districtId: district.id, userId: person.id })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) {
      throw new ConflictError('This person is already an admin of the district.');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.admin_added',
      districtId: district.id,
      subjectUserId: person.id,
    });
  });
  return district;
}

/** Removes a district admin. The last admin of a district can be removed by a platform admin only. */
export async function removeDistrictAdmin(
  ctx: ServiceContext,
  input: { districtId: number; userId: number },
): Promise<DistrictRow> {
  const district = await requireDistrictAdmin(ctx, input.districtId);
  await runInTransaction(ctx, async (tx) => {
    const removed = await tx
      .delete(districtAdmins)
      .where(
        and(eq(districtAdmins.districtId, district.id), eq(districtAdmins.userId, input.userId)),
      )
      .returning();
    if (removed.length === 0) {
      throw new NotFoundError('This person is not an admin of the district.');
    }
    const [remaining] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(districtAdmins)
      .where(eq(districtAdmins.districtId, district.id));
    if ((remaining?.count ?? 0) === 0 && !isPlatformAdmin(ctx.viewer)) {
      throw new ConflictError(
        'A district needs at least one admin; add another admin before removing this one.',
      );
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.admin_removed',
      districtId: district.id,
      subjectUserId: input.userId,
    });
  });
  return district;
}

export async function addSchool(
  ctx: ServiceContext,
  input: { districtId: number; name: string },
): Promise<SchoolRow> {
  const district = await requireDistrictAdmin(ctx, input.districtId);
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 200 });
  validator.check();
  return runInTransaction(ctx, async (tx) => {
    const [school] = await tx.insert(schools).values({ districtId: district.id, name }).returning();
    if (!school) {
      throw new Error('Inserting a school returned no row');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.school_added',
      districtId: district.id,
      details: { schoolId: school.id, name },
    });
    return school;
  });
}

async function loadSchool(ctx: ServiceContext, schoolId: number): Promise<SchoolRow> {
  const [school] = await ctx.db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) {
    throw new NotFoundError('School not found.');
  }
  await requireDistrictAdmin(ctx, school.districtId);
  return school;
}

export async function renameSchool(
  ctx: ServiceContext,
  input: { schoolId: number; name: string },
): Promise<SchoolRow> {
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 200 });
  validator.check();
  const school = await loadSchool(ctx, input.schoolId);
  return runInTransaction(ctx, async (tx) => {
    const [renamed] = await tx
      .update(schools)
      .set({ name })
      .where(eq(schools.id, school.id))
      .returning();
    if (!renamed) {
      throw new NotFoundError('School not found.');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.school_renamed',
      districtId: school.districtId,
      details: { schoolId: school.id, from: school.name, to: name },
    });
    return renamed;
  });
}

/** Removes a school; its staff keep their district and lose only the school. */
export async function removeSchool(
  ctx: ServiceContext,
  input: { schoolId: number },
): Promise<DistrictRow> {
  const school = await loadSchool(ctx, input.schoolId);
  return runInTransaction(ctx, async (tx) => {
    await tx.delete(schools).where(eq(schools.id, school.id));
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.school_removed',
      districtId: school.districtId,
      details: { schoolId: school.id, name: school.name },
    });
    const [district] = await tx.select().from(districts).where(eq(districts.id, school.districtId));
    if (!district) {
      throw new NotFoundError('District not found.');
    }
    return district;
  });
}

/**
 * Claims an email domain for a district. A platform admin's claim is verified at once; a district
 * admin's waits for a platform admin to verify it.
 */
export async function addDistrictDomain(
  ctx: ServiceContext,
  input: { districtId: number; domain: string },
): Promise<DistrictDomainRow> {
  const district = await requireDistrictAdmin(ctx, input.districtId);
  const domain = input.domain.trim().toLowerCase().replace(/^@/, '');
  if (!DOMAIN_PATTERN.test(domain) || domain.length > 253) {
    throw ValidationError.of(
      'domain',
      `"${domain.slice(0, 80)}" is not a domain name; write it like riverbend.k12.ca.us`,
    );
  }
  const verifiedNow = isPlatformAdmin(ctx.viewer);
  return runInTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(districtDomains)
      .values({
        districtId: district.id,
        domain,
        verifiedAt: verifiedNow ? sql`now()` : null,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      throw new ConflictError(`The domain ${domain} is already claimed by a district.`);
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.domain_added',
      districtId: district.id,
      details: { domain, verified: verifiedNow },
    });
    if (verifiedNow) {
      await adoptStaffOfDomain(tx, district.id, domain);
    }
    return row;
  });
}

/** Marks a claimed domain verified; platform admins only. */
export async function verifyDistrictDomain(
  ctx: ServiceContext,
  input: { domainId: number },
): Promise<DistrictDomainRow> {
  requirePlatformAdmin(ctx, 'verify district domains');
  return runInTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(districtDomains)
      .set({ verifiedAt: sql`coalesce(${districtDomains.verifiedAt}, now())` })
      .where(eq(districtDomains.id, input.domainId))
      .returning();
    if (!row) {
      throw new NotFoundError('Domain not found.');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.domain_verified',
      districtId: row.districtId,
      details: { domain: row.domain },
    });
    await adoptStaffOfDomain(tx, row.districtId, row.domain);
    return row;
  });
}

/** Gives the district people who already verified an address at a newly verified domain. */
async function adoptStaffOfDomain(tx: Executor, districtId: number, domain: string) {
  await tx
    .update(users)
    .set({ districtId })
    .where(
      and(
        isNull(users.districtId),
        isNotNull(users.emailVerifiedAt),
        sql`lower(split_part(${users.email}, '@', 2)) = ${domain}`,
      ),
    );
}

export async function removeDistrictDomain(
  ctx: ServiceContext,
  input: { domainId: number },
): Promise<DistrictRow> {
  const [domain] = await ctx.db
    .select()
    .from(districtDomains)
    .where(eq(districtDomains.id, input.domainId));
  if (!domain) {
    throw new NotFoundError('Domain not found.');
  }
  const district = await requireDistrictAdmin(ctx, domain.districtId);
  await runInTransaction(ctx, async (tx) => {
    await tx.delete(districtDomains).where(eq(districtDomains.id, domain.id));
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.domain_removed',
      districtId: district.id,
      details: { domain: domain.domain },
    });
  });
  return district;
}

/**
 * Ends a person's district staff status. They keep their account and memberships; they become
 * staff again only by signing in through the district's SSO.
 */
export async function removeDistrictStaff(
  ctx: ServiceContext,
  input: { districtId: number; userId: number },
): Promise<DistrictRow> {
  const district = await requireDistrictAdmin(ctx, input.districtId);
  await runInTransaction(ctx, async (tx) => {
    const updated = await tx
      .update(users)
      .set({ districtId: null, schoolId: null })
      .where(and(eq(users.id, input.userId), eq(users.districtId, district.id)))
      .returning({ id: users.id });
    if (updated.length === 0) {
      throw new NotFoundError('This person is not staff of the district.');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.staff_removed',
      districtId: district.id,
      subjectUserId: input.userId,
    });
  });
  // Open sockets remember the viewer's district, so the person's sign-ins and API tokens end:
  // they sign in again as someone outside the district.
  const revoked = await ctx.db
    .update(authSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authSessions.userId, input.userId), isNull(authSessions.revokedAt)))
    .returning({ id: authSessions.id });
  ctx.publish(revoked.map(({ id }) => ({ id: 0, topic: authSessionTopic(id) })));
  return district;
}
