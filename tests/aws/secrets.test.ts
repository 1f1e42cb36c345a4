import { strict as assert } from 'node:assert';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCloud } from '../../src/cloud/aws';
import { EnvSecrets, withSecrets } from '../../src/cloud/secrets';
import { UserError } from '../../src/model/errors';
import { motoCloud, useMoto, type Moto } from './moto';

/** Secrets come from SSM Parameter Store at run time; a function's environment names them only. */
describe('aws: secrets from SSM Parameter Store (moto)', function () {
  let moto: Moto;
  let cloud: AwsCloud;
  const name = '/caribou/electricity-maps-token';

  before(async function () {
    moto = await useMoto(this);
    cloud = await motoCloud(moto);
  });
  after(async () => cloud?.close());

  it('reads a SecureString by the name the environment gives, once per container', async () => {
    const ssm = cloud.context.client(SSMClient, cloud.context.controlRegion);
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'token-from-ssm', Type: 'SecureString', Overwrite: true }));
    const env = await withSecrets({ ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER: name, OTHER: 'x' }, cloud.secrets, ['ELECTRICITY_MAPS_AUTH_TOKEN']);
    assert.equal(env.ELECTRICITY_MAPS_AUTH_TOKEN, 'token-from-ssm');
    assert.equal(env.OTHER, 'x');
    // cached: a warm container does not read it again (here: it is gone, and still known)
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    assert.equal(await cloud.secrets.get(name), 'token-from-ssm');
  });

  it('a named parameter that does not exist is an error naming it; no name means no secret', async () => {
    await assert.rejects(
      withSecrets({ ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER: '/caribou/missing' }, cloud.secrets, ['ELECTRICITY_MAPS_AUTH_TOKEN']),
      (e: Error) => e instanceof UserError && /\/caribou\/missing, which does not exist/.test(e.message),
    );
    assert.deepEqual(await withSecrets({}, cloud.secrets, ['ELECTRICITY_MAPS_AUTH_TOKEN']), {});
  });

  it('locally the environment is the store', async () => {
    assert.equal(await new EnvSecrets({ T: 'v' }).get('T'), 'v');
    assert.equal(await new EnvSecrets({ T: '' }).get('T'), undefined);
    const env = await withSecrets({ ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER: 'LOCAL_TOKEN' }, new EnvSecrets({ LOCAL_TOKEN: 'v' }), ['ELECTRICITY_MAPS_AUTH_TOKEN']);
    assert.equal(env.ELECTRICITY_MAPS_AUTH_TOKEN, 'v');
  });
});
