import { TelemetryConfigError, telemetrySettings } from './telemetry-settings';

describe('telemetrySettings', () => {
  it('is off with no exporter configured', () => {
    expect(telemetrySettings({})).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('no exporter'),
    });
  });

  it('is on with an OTLP endpoint and no exporter named, over http/protobuf by default', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: true,
      exporter: 'otlp',
      protocol: 'http/protobuf',
      reason: '',
    });
    expect(
      telemetrySettings({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4317',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      }),
    ).toMatchObject({ enabled: true, protocol: 'grpc' });
  });

  it('follows OTEL_TRACES_EXPORTER', () => {
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({
      enabled: true,
      exporter: 'console',
    });
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'OTLP' })).toMatchObject({
      enabled: true,
      exporter: 'otlp',
    });
    expect(
      telemetrySettings({
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toMatchObject({ enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' });
  });

  it('is off when the SDK is disabled, whatever else is set', () => {
    expect(
      telemetrySettings({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }),
    ).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED=true' });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, /OTEL_TRACES_EXPORTER="jaeger" is not supported/],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'kafka' },
      /OTEL_EXPORTER_OTLP_PROTOCOL="kafka" is not supported/,
    ],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => telemetrySettings(env)).toThrow(TelemetryConfigError);
    expect(() => telemetrySettings(env)).toThrow(message);
  });
});
