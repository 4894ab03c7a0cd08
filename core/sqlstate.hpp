#pragma once
// SQLSTATE codes used by the core, as in PostgreSQL's errcodes.txt. Named here so
// core code says what it means (sqlstate::kBadCopyFileFormat) rather than "22P04".
namespace pg_etl::sqlstate {

inline constexpr const char* kInternalError = "XX000";
inline constexpr const char* kOutOfMemory = "53200";
inline constexpr const char* kQueryCanceled = "57014";
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kNumericValueOutOfRange = "22003";
inline constexpr const char* kDatetimeFieldOverflow = "22008";
inline constexpr const char* kInvalidDatetimeFormat = "22007";
inline constexpr const char* kSyntaxError = "42601";
inline constexpr const char* kUndefinedColumn = "42703";
inline constexpr const char* kUndefinedObject = "42704";
inline constexpr const char* kSqlJsonMemberNotFound = "2203A";
inline constexpr const char* kInvalidTextRepresentation = "22P02";
inline constexpr const char* kBadCopyFileFormat = "22P04";
inline constexpr const char* kCharacterNotInRepertoire = "22021";
inline constexpr const char* kInvalidJsonText = "22032";
inline constexpr const char* kFeatureNotSupported = "0A000";
inline constexpr const char* kUndefinedFile = "58P01";
inline constexpr const char* kIoError = "58030";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kInvalidAuthorization = "28000";
inline constexpr const char* kConnectionFailure = "08006";
inline constexpr const char* kSqlclientUnableToEstablishConnection = "08001";
inline constexpr const char* kConfigFileError = "F0000";
inline constexpr const char* kDataCorrupted = "XX001";
inline constexpr const char* kProgramLimitExceeded = "54000";
inline constexpr const char* kProtocolViolation = "08P01";

}  // namespace pg_etl::sqlstate
