import { Module } from '@nestjs/common';
import { CommandsService } from './commands.service';

/** Player commands to the interaction engine. */
@Module({ providers: [CommandsService], exports: [CommandsService] })
export class CommandsModule {}
