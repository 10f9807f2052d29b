package results

import "fmt"

// HumanCount formats a count with an SI suffix and three significant
// figures: 1234567 -> "1.23 M", 950 -> "950".
func HumanCount(v float64) string {
	switch {
	case v >= 1e12:
		return fmt.Sprintf("%.2f T", v/1e12)
	case v >= 1e9:
		return fmt.Sprintf("%.2f G", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2f k", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
