import { createFramework, MAX_FRAMEWORK_STANDARDS } from '../../server/services/framework.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';

builder.drizzleNode('frameworks', {
  name: 'Framework',
  description:
    'A set of standards that badges align to: the ISTE Standards for Educators, or a district’s own framework.',
  id: { column: (framework) => framework.id },
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'Its name, such as ISTE Standards for Educators.',
    }),
    url: t.exposeString('url', {
      nullable: true,
      description: 'Where it is published; null when none was given.',
    }),
    district: t.relation('district', {
      nullable: true,
      description: 'The district that added it; null for frameworks every community may use.',
    }),
    standards: t.relation('standards', {
      description: 'Its standards, in their order.',
      query: { orderBy: { position: 'asc' } },
    }),
  }),
});

builder.drizzleNode('frameworkStandards', {
  name: 'FrameworkStandard',
  description: 'One standard of a framework, such as 2.1 Learner, with a one-line summary.',
  id: { column: (standard) => standard.id },
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Its code, such as 2.1.' }),
    name: t.exposeString('name', { description: 'Its name, such as Learner.' }),
    summary: t.exposeString('summary', { description: 'What it asks of an educator, in a line.' }),
    framework: t.relation('framework', { description: 'The framework it belongs to.' }),
  }),
});

builder.drizzleObjectFields('badges', (t) => ({
  alignments: t.relation('alignments', {
    description:
      'The standards it is aligned to, from the ISTE Standards for Educators and the district’s own frameworks.',
    query: { orderBy: { frameworkId: 'asc', position: 'asc' } },
  }),
}));

builder.queryFields((t) => ({
  frameworks: t.drizzleField({
    type: ['frameworks'],
    description:
      'The frameworks badges may align to: those every community may use, and with `districtId` that district’s own.',
    args: {
      districtId: t.arg.id({
        required: false,
        description: 'Also list this district’s frameworks.',
      }),
    },
    resolve: (query, _parent, args, ctx) => {
      const districtId = args.districtId
        ? tryParseGlobalId(String(args.districtId), 'District')
        : null;
      return ctx.db.query.frameworks.findMany(
        query({
          where: districtId
            ? { OR: [{ districtId: { isNull: true } }, { districtId }] }
            : { districtId: { isNull: true } },
          orderBy: { id: 'asc' },
        }),
      );
    },
  }),
}));

const StandardInput = builder.inputType('FrameworkStandardInput', {
  description: 'One standard of a new framework.',
  fields: (f) => ({
    code: f.string({ required: true, description: '1 to 20 characters, unique in the framework.' }),
    name: f.string({ required: true, description: '1 to 120 characters.' }),
    summary: f.string({ required: true, description: 'A line of 1 to 300 characters.' }),
  }),
});

builder.mutationFields((t) => ({
  createFramework: t.drizzleField({
    type: 'frameworks',
    description:
      "Adds a district's own framework, whose standards its communities' badges may align to; district admins only.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateFrameworkInput', {
          description: 'A new framework of a district, with its standards.',
          fields: (f) => ({
            districtId: f.id({ required: true, description: 'The district.' }),
            name: f.string({
              required: true,
              description: '1 to 200 characters, unique in the district regardless of case.',
            }),
            url: f.string({ description: 'Where it is published: an http or https link.' }),
            standards: f.field({
              type: [StandardInput],
              required: true,
              description: `1 to ${MAX_FRAMEWORK_STANDARDS} standards, in order.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      createFramework(ctx, {
        districtId: parseGlobalId(String(input.districtId), 'District', 'districtId'),
        name: input.name,
        url: input.url,
        standards: input.standards,
      }),
  }),
}));
