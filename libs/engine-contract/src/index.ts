/**
 * `@anvil/engine-contract`: the engine gRPC contract generated from proto/ (wire types and
 * codecs, never edited by hand), converters between wire and domain types, named errors and
 * their gRPC statuses, transport options, the health service and a typed client.
 */
export * from './generated/game/engine/v1/engine';
export * from './domain/commands';
export * from './domain/limits';
export * from './domain/player-body';
export * from './converters/validate';
export * from './converters/body.converter';
export * from './converters/command.converter';
export * from './converters/world.converter';
export * from './converters/binding.converter';
export * from './errors/engine-error';
export * from './errors/grpc-status';
export * from './grpc/credentials';
export * from './grpc/engine-service.options';
export * from './grpc/health-service.options';
export * from './client/retry';
export * from './client/engine-client';
export * from './client/command-stream-client';
export * from './errors/command-error';
export * from './streams/command-streams';
export * from './grpc/free-port';
export * from './access/engine-token';
export * from './access/access-interceptor';
export * from './access/refusal-log';
export * from './quotas/call-rate';
export * from './quotas/world-quota';
export * from './quotas/body-quota';
export * from './placement/placed-init';
export * from './fencing/sender-fence';
