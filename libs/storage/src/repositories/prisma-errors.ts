import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { StorageClosedError } from '../errors';

/** How repositories reach the storage's one Prisma client; throws once the storage is closed. */
export type PrismaAccess = () => PrismaClient;

/** Creates a {@link PrismaAccess} that refuses after `isClosed()` turns true. */
export function prismaAccess(prisma: PrismaClient, isClosed: () => boolean): PrismaAccess {
  return () => {
    if (isClosed()) throw new StorageClosedError();
    return prisma;
  };
}

/** Prisma's error codes this library translates (https://pris.ly/d/prisma-errors). */
export const PrismaCode = {
  UniqueViolation: 'P2002',
  ForeignKeyViolation: 'P2003',
  RecordNotFound: 'P2025',
} as const;

/** True when `error` is a Prisma request error with the given code. */
export function isPrismaError(
  error: unknown,
  code: (typeof PrismaCode)[keyof typeof PrismaCode],
): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}
