// MLflow's error shape, `{"error_code": ..., "message": ...}`, with the HTTP status MLflow's tracking
// server sends for each code (mlflow/exceptions.py: ERROR_CODE_TO_HTTP_STATUS).
export const MLFLOW_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TOO_LARGE: 413,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_STATUS;

export class MlflowError extends Error {
  override name = "MlflowError";
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return MLFLOW_STATUS[this.errorCode];
  }

  toResponse(): Response {
    return Response.json({ error_code: this.errorCode, message: this.message }, { status: this.status, headers: this.headers });
  }
}

export const invalidParameter = (message: string) => new MlflowError("INVALID_PARAMETER_VALUE", message);
export const runNotFound = (id: string) => new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${id} not found`);
