import { Module } from '@nestjs/common';
import { WorldsModule } from '../worlds/worlds.module';
import { CommandsService } from './commands.service';

/** Player commands to the interaction engine. */
@Module({ imports: [WorldsModule], providers: [CommandsService], exports: [CommandsService] })
export class CommandsModule {}
