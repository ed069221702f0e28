import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/problem/domain-error';
import { MaintenanceDueQueryDto } from './dto/maintenance-due-query.dto';
import { MaintenanceDueService } from './maintenance-due.service';

@ApiTags('vehicles')
@ApiBearerAuth()
@Controller('vehicles')
export class MaintenanceDueController {
  constructor(
    private readonly due: MaintenanceDueService,
    private readonly clock: Clock,
  ) {}

  @Get(':id/maintenance-due')
  @ApiOperation({
    summary: 'What is due on a vehicle: per item both projections (time, distance), the winner, the stage',
  })
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: MaintenanceDueQueryDto,
    @CurrentUser() user: AuthUser,
  ) {
    const rooftopId = await this.due.rooftopOf(id);
    if (!rooftopId) throw new NotFoundError('Vehicle');
    user.assertRooftop(rooftopId, 'Vehicle');
    return this.due.dueForVehicle(id, query.asOf ? new Date(query.asOf) : this.clock.now());
  }
}
