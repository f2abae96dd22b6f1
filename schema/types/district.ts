import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  addDistrictAdmin,
  addDistrictDomain,
  addSchool,
  createDistrict,
  removeDistrictAdmin,
  removeDistrictDomain,
  removeDistrictStaff,
  removeSchool,
  renameSchool,
  verifyDistrictDomain,
} from '../../server/services/district.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { District } from './community.ts';

export const DistrictDomain = builder.drizzleNode('districtDomains', {
  name: 'DistrictDomain',
  description:
    'An email domain a district claims. People with a verified address there are its staff once a platform admin has verified the domain.',
  id: { column: (domain) => domain.id },
  authScopes: (domain) => ({ administerDistrict: domain.districtId }),
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'Lowercase, such as riverbend.k12.ca.us.' }),
    verified: t.boolean({
      description: 'Whether a platform admin verified the claim.',
      resolve: (domain) => domain.verifiedAt !== null,
    }),
    verifiedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the claim was verified; null while it waits.',
      resolve: (domain) => domain.verifiedAt,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the domain was claimed.',
      resolve: (domain) => domain.createdAt,
    }),
  }),
});

export const AuditEntry = builder.drizzleNode('auditLog', {
  name: 'AuditEntry',
  description: 'One recorded admin or facilitator action.',
  id: { column: (entry) => entry.id },
  // The same readers as the audit logs that list it: platform admins, admins of its district,
  // and for community entries the community's owners and facilitators.
  authScopes: (entry) => ({
    $any: {
      platformAdmin: true,
      ...(entry.districtId !== null && { administerDistrict: entry.districtId }),
      ...(entry.communityId !== null && { readCommunityAudit: entry.communityId }),
    },
  }),
  fields: (t) => ({
    action: t.exposeString('action', {
      description: 'What was done, such as community.role_changed or district.domain_verified.',
    }),
    actor: t.relation('actor', {
      nullable: true,
      description: 'Who did it; null for the system or a deleted account.',
    }),
    subjectUser: t.relation('subjectUser', {
      nullable: true,
      description: 'The person it was done to, if any.',
    }),
    communityId: t.id({
      nullable: true,
      description: 'Global id of the community it concerns, if any.',
      resolve: (entry) =>
        entry.communityId === null ? null : encodeGlobalID('Community', entry.communityId),
    }),
    details: t.string({
      description: 'Further facts as a JSON object, such as the old and new role.',
      resolve: (entry) => JSON.stringify(entry.details),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was done.',
      resolve: (entry) => entry.createdAt,
    }),
  }),
});

const adminOnly = (district: { id: number }) => ({ administerDistrict: district.id });

builder.drizzleObjectFields(District, (t) => ({
  schools: t.relation('schools', {
    description: "The district's schools, by name.",
    query: { orderBy: { name: 'asc', id: 'asc' } },
  }),
  viewerIsAdmin: t.boolean({
    description: 'Whether the viewer administers this district (platform admins do).',
    resolve: (district, _args, ctx) =>
      ctx.viewer !== null &&
      (ctx.viewer.isPlatformAdmin || ctx.viewer.adminDistrictIds.includes(district.id)),
  }),
  domains: t.relation('domains', {
    nullable: true,
    description: 'Claimed email domains; null unless the viewer administers the district.',
    authScopes: adminOnly,
    unauthorizedResolver: () => null,
    query: { orderBy: { domain: 'asc' } },
  }),
  admins: t.drizzleField({
    type: ['users'],
    nullable: true,
    description: "The district's admins; null unless the viewer administers the district.",
    authScopes: adminOnly,
    unauthorizedResolver: () => null,
    resolve: (query, district, _args, ctx) =>
      ctx.db.query.users.findMany(
        query({
          where: {
            RAW: (table, { sql }) =>
              sql`exists (select 1 from district_admins da where da.user_id = ${table.id} and da.district_id = ${district.id})`,
          },
          orderBy: { id: 'asc' },
        }),
      ),
  }),
  staff: t.relatedConnection('staff', {
    nullable: true,
    description: 'District staff, by id; null unless the viewer administers the district.',
    authScopes: adminOnly,
    unauthorizedResolver: () => null,
    query: { orderBy: { id: 'asc' } },
  }),
  auditLog: t.relatedConnection('auditLog', {
    nullable: true,
    description:
      'What admins and facilitators did in the district and its communities, newest first; null unless the viewer administers the district.',
    authScopes: adminOnly,
    unauthorizedResolver: () => null,
    query: { orderBy: { id: 'desc' } },
  }),
}));

builder.queryFields((t) => ({
  districts: t.drizzleConnection({
    type: 'districts',
    description: 'Every district, by name. Names and schools are public.',
    resolve: (query, _parent, _args, ctx) =>
      ctx.db.query.districts.findMany(query({ orderBy: { name: 'asc', id: 'asc' } })),
  }),
  district: t.drizzleField({
    type: 'districts',
    nullable: true,
    description: 'A district by slug; null when there is none.',
    args: { slug: t.arg.string({ required: true, description: 'Such as riverbend-usd.' }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.query.districts.findFirst(
        query({ where: { slug: args.slug.replaceAll('\u0000', '').slice(0, 100) } }),
      ),
  }),
  platformAuditLog: t.drizzleConnection({
    type: 'auditLog',
    description: 'Every recorded admin action, newest first; platform admins only.',
    authScopes: { platformAdmin: true },
    resolve: (query, _parent, _args, ctx) =>
      ctx.db.query.auditLog.findMany(query({ orderBy: { id: 'desc' } })),
  }),
}));

const districtIdArg =
  (path = 'districtId') =>
  (value: string | number) =>
    parseGlobalId(String(value), 'District', path);

const DistrictPersonInput = builder.inputType('DistrictPersonInput', {
  description: 'Names a person in a district.',
  fields: (f) => ({
    districtId: f.id({ required: true, description: 'The district.' }),
    userId: f.id({ required: true, description: 'The person.' }),
  }),
});

builder.mutationFields((t) => ({
  createDistrict: t.drizzleField({
    type: 'districts',
    description: 'Creates a district; platform admins only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateDistrictInput', {
          description: 'A new district.',
          fields: (f) => ({
            name: f.string({ required: true, description: '1 to 200 characters.' }),
            slug: f.string({
              required: true,
              description: 'Lowercase letters, digits and hyphens, at most 64 characters.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) => createDistrict(ctx, input),
  }),
  addDistrictAdmin: t.drizzleField({
    type: 'districts',
    description: "Makes a person with an account an admin of the district; the district's admins.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AddDistrictAdminInput', {
          description: 'A district and the email of the new admin.',
          fields: (f) => ({
            districtId: f.id({ required: true, description: 'The district.' }),
            email: f.string({ required: true, description: "The person's account email." }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      addDistrictAdmin(ctx, { districtId: districtIdArg()(input.districtId), email: input.email }),
  }),
  removeDistrictAdmin: t.drizzleField({
    type: 'districts',
    description: 'Removes a district admin. Only a platform admin may remove the last one.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: DistrictPersonInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      removeDistrictAdmin(ctx, {
        districtId: districtIdArg()(input.districtId),
        userId: parseGlobalId(String(input.userId), 'User', 'userId'),
      }),
  }),
  removeDistrictStaff: t.drizzleField({
    type: 'districts',
    description:
      "Ends a person's staff status and signs them out everywhere; they keep their account.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: DistrictPersonInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      removeDistrictStaff(ctx, {
        districtId: districtIdArg()(input.districtId),
        userId: parseGlobalId(String(input.userId), 'User', 'userId'),
      }),
  }),
  addSchool: t.drizzleField({
    type: 'schools',
    description: "Adds a school to a district; the district's admins.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AddSchoolInput', {
          description: 'A district and the new school name.',
          fields: (f) => ({
            districtId: f.id({ required: true, description: 'The district.' }),
            name: f.string({ required: true, description: '1 to 200 characters.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      addSchool(ctx, { districtId: districtIdArg()(input.districtId), name: input.name }),
  }),
  renameSchool: t.drizzleField({
    type: 'schools',
    description: "Renames a school; the district's admins.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RenameSchoolInput', {
          description: 'A school and its new name.',
          fields: (f) => ({
            schoolId: f.id({ required: true, description: 'The school.' }),
            name: f.string({ required: true, description: '1 to 200 characters.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      renameSchool(ctx, {
        schoolId: parseGlobalId(String(input.schoolId), 'School', 'schoolId'),
        name: input.name,
      }),
  }),
  removeSchool: t.drizzleField({
    type: 'districts',
    description: 'Removes a school; its staff stay in the district without a school.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RemoveSchoolInput', {
          description: 'The school to remove.',
          fields: (f) => ({ schoolId: f.id({ required: true, description: 'The school.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      removeSchool(ctx, { schoolId: parseGlobalId(String(input.schoolId), 'School', 'schoolId') }),
  }),
  addDistrictDomain: t.drizzleField({
    type: 'districtDomains',
    description:
      "Claims an email domain for a district; the district's admins. A platform admin's claim is verified at once.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AddDistrictDomainInput', {
          description: 'A district and a domain it owns.',
          fields: (f) => ({
            districtId: f.id({ required: true, description: 'The district.' }),
            domain: f.string({ required: true, description: 'Such as riverbend.k12.ca.us.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      addDistrictDomain(ctx, {
        districtId: districtIdArg()(input.districtId),
        domain: input.domain,
      }),
  }),
  verifyDistrictDomain: t.drizzleField({
    type: 'districtDomains',
    description:
      'Verifies a claimed domain, making people with a verified address there district staff; platform admins only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DistrictDomainIdInput', {
          description: 'Names a claimed domain.',
          fields: (f) => ({ domainId: f.id({ required: true, description: 'The domain.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      verifyDistrictDomain(ctx, {
        domainId: parseGlobalId(String(input.domainId), 'DistrictDomain', 'domainId'),
      }),
  }),
  removeDistrictDomain: t.drizzleField({
    type: 'districts',
    description: "Withdraws a domain claim; the district's admins. Existing staff stay staff.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RemoveDistrictDomainInput', {
          description: 'Names a claimed domain.',
          fields: (f) => ({ domainId: f.id({ required: true, description: 'The domain.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      removeDistrictDomain(ctx, {
        domainId: parseGlobalId(String(input.domainId), 'DistrictDomain', 'domainId'),
      }),
  }),
}));

/** Checks that the user is the viewer, or the person a signIn or signUp in this request signed in. */
function isSelf(ctx: GraphQLContext, userId: number): boolean {
  return ctx.viewer?.id === userId || ctx.signedInUserId === userId;
}

builder.drizzleObjectFields('users', (t) => ({
  isPlatformAdmin: t.boolean({
    nullable: true,
    description: 'Whether this person is a platform admin; null except for the person themself.',
    resolve: (user, _args, ctx) => (isSelf(ctx, user.id) ? user.isPlatformAdmin : null),
  }),
  administeredDistricts: t.drizzleField({
    type: ['districts'],
    nullable: true,
    description: 'Districts this person administers, by name; null except for the person themself.',
    resolve: (query, user, _args, ctx) =>
      isSelf(ctx, user.id)
        ? ctx.db.query.districts.findMany(
            query({
              where: {
                RAW: (table, { sql }) =>
                  sql`exists (select 1 from district_admins da where da.district_id = ${table.id} and da.user_id = ${user.id})`,
              },
              orderBy: { name: 'asc', id: 'asc' },
            }),
          )
        : null,
  }),
}));
