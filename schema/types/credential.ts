import {
  type CredentialKeyRow,
  listCredentialKeys,
  rotateCredentialKeys,
} from '../../server/services/credential-keys.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';

const CredentialKey = builder.objectRef<CredentialKeyRow>('CredentialKey').implement({
  description:
    'A key of the platform key ring that signs Open Badges credentials. Every issuer publishes each key at `<issuer>/keys/<keyId>`; only its public half is ever shown.',
  fields: (t) => ({
    keyId: t.exposeString('keyId', { description: 'Its name in key addresses, such as key-2.' }),
    active: t.boolean({
      description: 'Whether it signs new credentials; exactly one key is active.',
      resolve: (key) => key.retiredAt === null,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was created.',
      resolve: (key) => key.createdAt,
    }),
    retiredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When it stopped signing; null while active. A retired key stays published, so what it signed still verifies.',
      resolve: (key) => key.retiredAt,
    }),
  }),
});

builder.queryFields((t) => ({
  credentialKeys: t.field({
    type: [CredentialKey],
    description: 'The credential signing keys, oldest first; platform admins only.',
    authScopes: { platformAdmin: true },
    resolve: (_parent, _args, ctx) => listCredentialKeys(ctx),
  }),
}));

builder.mutationFields((t) => ({
  rotateCredentialKey: t.field({
    type: [CredentialKey],
    description:
      'Retires the active credential signing key and creates a new one that signs from now on; platform admins only. Credentials signed before keep verifying. Returns the key ring, oldest first.',
    errors: { types: COMMON_ERRORS },
    resolve: (_parent, _args, ctx) => rotateCredentialKeys(ctx),
  }),
}));
