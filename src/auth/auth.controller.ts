import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { LoginDto, TokenDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges email and password for a short-lived bearer token. Failed attempts are rate-limited (429). */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto })
  login(@Body() body: LoginDto, @Ip() ip: string): Promise<TokenDto> {
    return this.auth.login(body.email, body.password, ip);
  }

  /** The caller's identity, role and rooftops. */
  @Get('me')
  @ApiBearerAuth()
  me(@CurrentUser() user: AuthUser) {
    return { id: user.id, role: user.role, rooftopIds: user.rooftopIds, via: user.via };
  }
}
