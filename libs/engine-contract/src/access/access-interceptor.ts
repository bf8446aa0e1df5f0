import {
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status as GrpcStatus,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { toGrpcStatus } from '../errors/grpc-status';
import { HEALTH_SERVICE_NAME } from '../grpc/health-service.options';
import { CALLER_PATTERN, bearerToken, callerOf, tokenMatches } from './engine-token';

/** How an engine's gRPC server admits calls. */
export interface EngineAccessOptions {
  /** The shared secret every call must present as `authorization: Bearer <token>`. */
  token: string;
  /** Services callable without a token (default: the standard health service, for probes). */
  openServices?: readonly string[];
  /**
   * Runs for every authenticated call before its handler, with the caller's name and the
   * method path (e.g. a per-caller call rate); an EngineError thrown here answers the call
   * with its status instead.
   */
  admit?: (caller: string, method: string) => void;
  /** Told about every refused call (logs); never gets the presented token. */
  onRefused?: (refusal: {
    code: GrpcStatus;
    reason: string;
    caller: string;
    method: string;
    peer: string;
  }) => void;
}

/** The details of an UNAUTHENTICATED answer; the same for a missing and a wrong token. */
export const UNAUTHENTICATED_DETAILS =
  'engine token missing or wrong: send call metadata "authorization: Bearer <ENGINE_TOKEN>"';

const serviceOf = (path: string) => path.split('/')[1] ?? '';

/**
 * A grpc-js server interceptor every call goes through before any handler runs: calls to the
 * open services pass; any other call needs the engine token (UNAUTHENTICATED otherwise), a
 * well-formed caller name (INVALID_ARGUMENT) and `admit`'s consent (its EngineError's status).
 */
export function engineAccessInterceptor(options: EngineAccessOptions): ServerInterceptor {
  const open = new Set(options.openServices ?? [HEALTH_SERVICE_NAME]);
  return (descriptor, call) => {
    if (open.has(serviceOf(descriptor.path))) return new ServerInterceptingCall(call);
    const refuse = (code: GrpcStatus, details: string, caller: string, metadata?: unknown) => {
      options.onRefused?.({
        code,
        reason: details,
        caller,
        method: descriptor.path,
        peer: call.getPeer(),
      });
      call.sendStatus({ code, details, ...(metadata ? { metadata: metadata as never } : {}) });
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const named = callerOf(metadata);
        const caller = named ?? 'malformed';
        if (!tokenMatches(options.token, bearerToken(metadata))) {
          return refuse(GrpcStatus.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS, caller);
        }
        if (named === undefined) {
          return refuse(
            GrpcStatus.INVALID_ARGUMENT,
            `x-anvil-caller must match ${CALLER_PATTERN.source}`,
            caller,
          );
        }
        try {
          options.admit?.(named, descriptor.path);
        } catch (error) {
          const answer = toGrpcStatus(error);
          return refuse(answer.code, answer.details, named, answer.metadata);
        }
        next(metadata);
      })
      .build();
    const responder = new ResponderBuilder().withStart((next) => next(listener)).build();
    return new ServerInterceptingCall(call, responder);
  };
}
