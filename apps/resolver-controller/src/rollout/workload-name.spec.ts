import fc from 'fast-check';
import { workloadName } from './workload-name';

describe('workloadName', () => {
  it('makes a Service name of module and version', () => {
    expect(workloadName('physics-rapier', '1.5.0')).toBe('physics-rapier-1-5-0');
    expect(workloadName('Physics', '2.0.0-rc.1+build.7')).toBe('physics-2-0-0-rc-1-build-7');
    const long = workloadName('m'.repeat(70), '1.0.0');
    expect(long).toHaveLength(63);
    expect(long).not.toBe(workloadName('m'.repeat(71), '1.0.0'));
  });

  it('always gives a DNS-1035 label', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 80 }), (m, v) => {
        expect(workloadName(m, v)).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
      }),
    );
  });
});
