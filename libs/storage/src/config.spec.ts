import { parseStorageConfig, redact, type StorageConfig } from './config';
import { InvalidStorageConfigError, StorageErrorCode } from './errors';
import { createStorage } from './storage';

describe('parseStorageConfig', () => {
  it.each([
    ['pglite://memory', { kind: 'pglite', dataDir: undefined }],
    ['pglite://.anvil-data/db', { kind: 'pglite', dataDir: '.anvil-data/db' }],
    ['pglite:///var/lib/anvil', { kind: 'pglite', dataDir: '/var/lib/anvil' }],
    [
      'postgresql://anvil:s3cret@db:5432/anvil',
      {
        kind: 'postgres',
        connectionString: 'postgresql://anvil:s3cret@db:5432/anvil',
        schema: 'public',
      },
    ],
    [
      'postgres://anvil@db/anvil?schema=run_42&sslmode=require',
      {
        kind: 'postgres',
        connectionString: 'postgres://anvil@db/anvil?sslmode=require',
        schema: 'run_42',
      },
    ],
  ])('reads %s', (url, target) => {
    expect(parseStorageConfig({ url })).toEqual(target);
  });

  it.each([
    ['a missing url', undefined, /storage url is missing/],
    ['an empty url', '', /storage url is missing/],
    ['a url that is not a string', 42, /storage url is missing/],
    ['another scheme', 'mysql://root:pw@db/anvil', /unsupported storage url mysql:\/\/…/],
    ['no scheme at all', 'localhost:5432', /unsupported storage url "localhost:5432"/],
    ['pglite without a folder', 'pglite://', /needs a folder or "memory"/],
    ['pglite with a query', 'pglite://memory?x=1', /needs a folder or "memory"/],
    ['postgresql without a host', 'postgresql:///anvil', /has no host/],
    ['postgresql without a database', 'postgresql://db:5432', /names no database/],
    ['a malformed postgresql url', 'postgresql://db:notaport/anvil', /malformed postgresql url/],
    [
      'a schema that is not an identifier',
      'postgresql://db/anvil?schema=a;drop',
      /is not a plain lower-case identifier/,
    ],
  ])('refuses %s with one clear error', (_label, url, message) => {
    const parse = () => parseStorageConfig({ url } as StorageConfig);
    expect(parse).toThrow(InvalidStorageConfigError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(
      expect.objectContaining({
        name: 'InvalidStorageConfigError',
        code: StorageErrorCode.InvalidConfig,
      }),
    );
  });

  it('never repeats a password in its errors', () => {
    expect(() => parseStorageConfig({ url: 'postgresql://anvil:hunter2@db:x/anvil' })).toThrow(
      /anvil:\*\*\*@db/,
    );
    expect(() => parseStorageConfig({ url: 'postgresql://anvil:hunter2@db:x/anvil' })).not.toThrow(
      /hunter2/,
    );
    expect(redact('postgresql://u:p@h/d')).toBe('postgresql://u:***@h/d');
    expect(redact('pglite://memory')).toBe('pglite://memory');
  });

  it('makes createStorage reject before opening anything', async () => {
    await expect(createStorage({ url: 'sqlite://anvil.db' })).rejects.toBeInstanceOf(
      InvalidStorageConfigError,
    );
  });
});
