package backendproc

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func isUnavailable(err error) bool {
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.Unavailable
}
