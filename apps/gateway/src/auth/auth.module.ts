import { Module } from '@nestjs/common';
import { AuthService } from './auth.service';

/** Handshake authentication for both namespaces. */
@Module({ providers: [AuthService], exports: [AuthService] })
export class AuthModule {}
