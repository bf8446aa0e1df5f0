import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { parseFiguresQuery, parseListQuery, worldIdParam } from './figures-query';
import { FiguresService, type WorldFigures, type WorldList } from './figures.service';

/** The figures API: the worlds with figures, and one world's figures for a window. */
@Controller('worlds')
export class FiguresController {
  constructor(@Inject(FiguresService) private readonly figures: FiguresService) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<WorldList> {
    return this.figures.worlds(parseListQuery(query));
  }

  @Get(':worldId/figures')
  world(
    @Param('worldId') worldId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<WorldFigures> {
    return this.figures.figures(worldIdParam(worldId), parseFiguresQuery(query));
  }
}
