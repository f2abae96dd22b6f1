import {
  configureDistrictSso,
  removeDistrictSso,
  ssoSettingsFor,
  ssoSignInPath,
} from '../../server/auth/oidc.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { District } from './community.ts';

export const SsoProvider = builder.drizzleObject('oidcProviders', {
  name: 'SsoProvider',
  description:
    "A district's OpenID Connect provider, through which its staff sign in. The client secret is stored encrypted and never returned.",
  // Only these columns are ever loaded, so the encrypted secret never leaves the database.
  select: { columns: { id: true, districtId: true } },
  fields: (t) => ({
    issuer: t.exposeString('issuer', {
      description: 'Issuer URL, such as https://accounts.google.com.',
    }),
    clientId: t.exposeString('clientId', {
      description: 'The client id that the provider issued to Staffroom.',
    }),
    enabled: t.exposeBoolean('enabled', {
      description: 'Whether staff can sign in through the provider now.',
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the provider settings last changed.',
      select: { columns: { updatedAt: true } },
      resolve: (provider) => provider.updatedAt,
    }),
  }),
});

builder.drizzleObjectFields(District, (t) => ({
  sso: t.relation('ssoProvider', {
    nullable: true,
    description:
      'Single sign-on settings; null when there are none or the viewer does not administer the district.',
    authScopes: (district) => ({ administerDistrict: district.id }),
    unauthorizedResolver: () => null,
  }),
  ssoSignInUrl: t.string({
    nullable: true,
    description:
      "Path on this server that starts a sign-in through the district's provider (open it in the browser; add ?returnTo=/path to come back to a page); null when the district has no enabled provider.",
    select: { columns: { slug: true }, with: { ssoProvider: { columns: { enabled: true } } } },
    resolve: (district) => (district.ssoProvider?.enabled ? ssoSignInPath(district.slug) : null),
  }),
}));

builder.mutationFields((t) => ({
  configureDistrictSso: t.drizzleField({
    type: 'districts',
    description:
      "Sets up or changes a district's OpenID Connect provider; the district's admins and platform admins. The issuer's discovery document is fetched first, and a ValidationError on `issuer` gives the reason when that fails. Changing the issuer unlinks accounts from the old issuer.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ConfigureDistrictSsoInput', {
          description: "A district's OpenID Connect provider settings.",
          fields: (f) => ({
            districtId: f.id({ required: true, description: 'The district.' }),
            issuer: f.string({
              required: true,
              description:
                'Issuer URL, such as https://accounts.google.com. Plain http works only for localhost and 127.0.0.1, on a server whose PUBLIC_URL is local too.',
            }),
            clientId: f.string({
              required: true,
              description: 'The client id that the provider issued, 1 to 500 characters.',
            }),
            clientSecret: f.string({
              required: false,
              description:
                'The client secret that the provider issued. Required the first time; when omitted later, the stored secret is kept.',
            }),
            enabled: f.boolean({
              required: false,
              description: 'Whether staff can sign in through the provider; true by default.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      configureDistrictSso(ctx, ssoSettingsFor(ctx.db), {
        districtId: parseGlobalId(String(input.districtId), 'District', 'districtId'),
        issuer: input.issuer,
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        enabled: input.enabled,
      }),
  }),
  removeDistrictSso: t.drizzleField({
    type: 'districts',
    description:
      "Removes a district's OpenID Connect provider, unlinking its accounts; the district's admins and platform admins.",
    errors: { types: COMMON_ERRORS },
    args: {
      districtId: t.arg.id({ required: true, description: 'The district.' }),
    },
    resolve: (_query, _parent, args, ctx) =>
      removeDistrictSso(ctx, {
        districtId: parseGlobalId(String(args.districtId), 'District', 'districtId'),
      }),
  }),
}));
