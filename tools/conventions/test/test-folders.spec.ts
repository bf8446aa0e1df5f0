import { repositoryFiles } from './repository-files';

// One spelling for where tests live: unit specs beside their code, specs that boot processes
// (*.e2e.spec.ts) or need testenv's services (*.int.spec.ts) in a `test/` folder.
describe('test folders', () => {
  const files = repositoryFiles();

  it('e2e and integration specs live in a test/ folder', () => {
    const misplaced = files.filter(
      (file) => /\.(e2e|int)\.spec\.ts$/.test(file) && !/(^|\/)test\//.test(file),
    );
    expect(misplaced).toEqual([]);
  });

  it('no folder is spelled e2e, integration, int or __tests__', () => {
    const spelled = files.filter((file) => /(^|\/)(e2e|integration|int|__tests__)\//.test(file));
    expect(spelled).toEqual([]);
  });
});
