"""One APIRouter per domain; handlers parse, call one service method, shape the response."""
