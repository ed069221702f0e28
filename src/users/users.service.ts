import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { PasswordHasher } from '../auth/password-hasher';
import { assertStrongPassword, WeakPasswordError } from '../auth/password-policy';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from '../common/problem/domain-error';
import { ConfigError } from '../config/app-config';
import { Keyset, limitOf, Page, PageQueryDto } from '../common/http/pagination';
import { Rooftop } from '../rooftops/rooftop.entity';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { User } from './user.entity';

/** By email, as app_user_email_uq (lower(email)) orders them; the id only breaks a tie that cannot happen. */
const USER_KEYS = new Keyset(
  [
    { sql: 'lower(u.email)', type: 'text' },
    { sql: 'u.id', type: 'uuid' },
  ],
  'ASC',
);

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly db: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  /** Every path that creates a user (API, ADMIN_PASSWORD, `admin:create`) comes here: one password rule. */
  async create(dto: CreateUserDto, actor: AuthUser | null): Promise<UserDto> {
    await assertStrongPassword(dto.password, [dto.email, dto.name]);
    const passwordHash = await this.hasher.hash(dto.password);
    return this.db.transaction(async (m) => {
      if (
        await m
          .createQueryBuilder(User, 'u')
          .where('lower(u.email) = lower(:email)', { email: dto.email })
          .getExists()
      ) {
        throw new ConflictError('email_taken', 'A user with this email already exists');
      }
      const rooftops = await this.rooftops(m, dto.rooftopIds);
      const user = await m.save(
        m.create(User, {
          email: dto.email,
          name: dto.name,
          role: dto.role,
          language: dto.language ?? 'en',
          passwordHash,
          active: true,
          rooftops,
        }),
      );
      await this.audit.record(m, actor, { action: 'user.created', entityType: 'user', entityId: user.id });
      return toDto(user);
    });
  }

  async list(query: PageQueryDto): Promise<Page<UserDto>> {
    const limit = limitOf(query);
    const cursor = USER_KEYS.decode(query.cursor);
    const params: string[] = [];
    const bind = (value: string) => `$${params.push(value)}`;
    const rows: { id: string }[] = await this.db.query(
      `SELECT u.id, ${USER_KEYS.select} FROM app_user u ${cursor ? `WHERE ${USER_KEYS.after(cursor, bind)}` : ''}
        ORDER BY ${USER_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    const page = USER_KEYS.page(rows, limit);
    const users = page.items.length
      ? await this.db
          .getRepository(User)
          .find({ where: { id: In(page.items.map((r) => r.id)) }, relations: { rooftops: true } })
      : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    return { items: page.items.map((r) => toDto(byId.get(r.id)!)), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.db.getRepository(User).findOne({ where: { id }, relations: { rooftops: true } });
    if (!user) throw new NotFoundError('User');
    return toDto(user);
  }

  /**
   * `expectedVersion` is the If-Match of PATCH (412 when someone changed the user since it was read);
   * null for deactivation, which applies whatever the version. Every change moves the version on, also
   * one that only changes rooftops (a join table).
   */
  async update(
    id: string,
    expectedVersion: number | null,
    dto: UpdateUserDto,
    actor: AuthUser,
  ): Promise<UserDto> {
    let passwordHash: string | undefined;
    if (dto.password) {
      // Checked and hashed before the transaction: argon2 should not run while the row is locked.
      const current = await this.db
        .getRepository(User)
        .findOne({ where: { id }, select: { id: true, email: true, name: true } });
      if (!current) throw new NotFoundError('User');
      await assertStrongPassword(dto.password, [current.email, dto.name ?? current.name]);
      passwordHash = await this.hasher.hash(dto.password);
    }
    return this.db.transaction(async (m) => {
      const user = await m.findOne(User, {
        where: { id },
        relations: { rooftops: true },
        lock: { mode: 'pessimistic_write', tables: ['app_user'] },
      });
      if (!user) throw new NotFoundError('User');
      if (expectedVersion !== null && user.version !== expectedVersion) {
        throw new PreconditionFailedError(user.version);
      }
      if (dto.name !== undefined) user.name = dto.name;
      if (dto.role !== undefined) user.role = dto.role;
      if (dto.language !== undefined) user.language = dto.language;
      if (dto.active !== undefined) user.active = dto.active;
      if (passwordHash) user.passwordHash = passwordHash;
      if (dto.rooftopIds) user.rooftops = await this.rooftops(m, dto.rooftopIds);
      user.version += 1;
      const saved = await m.save(user);
      // Field names only: the audit log never holds the password or its hash.
      await this.audit.record(m, actor, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        fields: Object.keys(dto),
      });
      return toDto(saved);
    });
  }

  /**
   * First admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or — on a fresh embedded database with neither set —
   * a generated one-time password that is printed once at start.
   */
  async ensureFirstAdmin(
    email: string | undefined,
    password: string | undefined,
    allowGenerated: boolean,
  ): Promise<{ email: string; password?: string } | null> {
    const admins = await this.db.getRepository(User).countBy({ role: 'admin' });
    if (email && password) {
      const existing = await this.db
        .createQueryBuilder(User, 'u')
        .where('lower(u.email) = lower(:email)', { email })
        .getOne();
      if (existing) return null;
      try {
        await this.create({ email, name: 'Administrator', role: 'admin', password, rooftopIds: [] }, null);
      } catch (e) {
        throw e instanceof WeakPasswordError
          ? new ConfigError(`Invalid settings — ADMIN_PASSWORD: ${e.message}`)
          : e;
      }
      this.logger.log({ msg: 'first admin created from ADMIN_EMAIL' });
      return { email };
    }
    if (admins > 0 || !allowGenerated) return null;
    const generated = randomBytes(12).toString('base64url');
    const adminEmail = 'admin@dealer-crm.local';
    await this.create(
      { email: adminEmail, name: 'Administrator', role: 'admin', password: generated, rooftopIds: [] },
      null,
    );
    return { email: adminEmail, password: generated };
  }

  private async rooftops(m: EntityManager, ids: string[]): Promise<Rooftop[]> {
    const unique = [...new Set(ids)];
    const rooftops = unique.length ? await m.findBy(Rooftop, { id: In(unique) }) : [];
    if (rooftops.length !== unique.length) {
      throw new UnprocessableError('unknown_rooftop', 'rooftopIds names a rooftop that does not exist', [
        { field: 'rooftopIds', message: 'unknown rooftop' },
      ]);
    }
    return rooftops;
  }
}

function toDto(u: User): UserDto {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    language: u.language,
    active: u.active,
    rooftopIds: (u.rooftops ?? []).map((r) => r.id),
    version: u.version,
    createdAt: u.createdAt,
  };
}
