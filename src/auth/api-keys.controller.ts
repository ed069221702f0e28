import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page, PageQueryDto } from '../common/http/pagination';
import { ApiKey } from './api-key.entity';
import { AuthUser } from './auth-user';
import { AuthService, hashApiKey } from './auth.service';
import { CurrentUser, Roles } from './decorators';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { NoBody } from '../common/http/no-body';

/** Newest first; few rows, no index of their own. */
const API_KEY_KEYS = new Keyset(
  [
    { sql: 'k.created_at', type: 'timestamptz' },
    { sql: 'k.id', type: 'uuid' },
  ],
  'DESC',
);

@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Creates a key for an integration. The key is returned once and only its hash is stored. */
  @Post()
  @ApiOperation({ summary: 'Create an API key for a user; the key is shown once, only its hash is kept' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiUnprocessableEntityResponse({ description: 'userId does not name a user' })
  async create(@Body() body: CreateApiKeyDto, @CurrentUser() actor: AuthUser): Promise<CreatedApiKeyDto> {
    return this.db.transaction(async (m) => {
      // A read of the users module's table (auth resolves principals from it; users depends on auth, not back).
      const [user] = await m.query<{ id: string }[]>(`SELECT id FROM app_user WHERE id = $1`, [body.userId]);
      if (!user)
        throw new UnprocessableError('unknown_user', 'userId does not name a user', [
          { field: 'userId', message: 'no such user' },
        ]);
      const key = AuthService.newApiKey();
      const saved = await m.save(
        m.create(ApiKey, {
          name: body.name,
          userId: user.id,
          prefix: key.slice(0, 8),
          keyHash: hashApiKey(key),
          createdBy: actor.id,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: saved.id,
      });
      return { ...toDto(saved), key };
    });
  }

  @Get()
  @ApiOperation({ summary: 'API keys (their prefix, never the key), newest first' })
  async list(@Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const limit = limitOf(query);
    const cursor = API_KEY_KEYS.decode(query.cursor);
    const qb = this.db.getRepository(ApiKey).createQueryBuilder('k');
    const page = API_KEY_KEYS.pageOf(
      await API_KEY_KEYS.applyTo(qb, cursor, limit).getRawAndEntities(),
      limit,
    );
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  /** Revokes a key at once; requests using it get 401 from then on. */
  @Delete(':id')
  @NoBody()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key at once; calls with it get 401 from then on' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser): Promise<void> {
    await this.db.transaction(async (m) => {
      const result = await m.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
      if (!result.affected) {
        const exists = await m.existsBy(ApiKey, { id });
        if (!exists) throw new NotFoundError('API key');
        return;
      }
      await this.audit.record(m, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: id });
    });
  }
}

function toDto(k: ApiKey): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    userId: k.userId,
    prefix: k.prefix,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}
